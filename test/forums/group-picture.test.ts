// A group's picture (ADR 0102): set by its moderators over HTTP, shown on the group cards and the
// group page, refused when not an image or not from a moderator, hidden with a private group.
import assert from "node:assert/strict";
import sharp from "sharp";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, submit, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { forumMember, newGroup } from "./helpers.ts";

const photo = () =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 30, g: 140, b: 90 } } })
    .png()
    .toBuffer();

async function uploadPicture(agent: Agent, slug: string, data: Buffer) {
  const page = await agent.get("/me");
  return agent
    .post(`/groups/${slug}/picture`)
    .field("_csrf", csrfFrom(page.text))
    .attach("picture", data, { filename: "groupe.png", contentType: "image/png" });
}

describe(`forums: group pictures (${MODE})`, function () {
  this.timeout(120_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("lets moderators set, show and remove a group's picture", async () => {
    const owner = await forumMember(instance, "staff");
    const member = await forumMember(instance);
    const group = await newGroup(instance, owner, { name: "Chorale des anciens" });
    const edit = await owner.agent.get(`/groups/${group.slug}/edit`);
    assert.match(edit.text, /name="picture"/);

    assert.equal((await uploadPicture(member.agent, group.slug, await photo())).status, 403);
    const notImage = await uploadPicture(owner.agent, group.slug, Buffer.from("pas une image"));
    assert.equal(notImage.status, 415);
    const saved = await uploadPicture(owner.agent, group.slug, await photo());
    assert.equal(saved.status, 303, saved.text);

    const img = `src="/groups/${group.slug}/picture/large" width="64" height="64"`;
    const cards = await browser(instance.url).get("/groups");
    assert.ok(cards.text.includes(`<img class="avatar avatar--large" ${img} alt=""`));
    const page = await browser(instance.url).get(`/groups/${group.slug}`);
    assert.ok(page.text.includes(`${img} alt="Image du groupe Chorale des anciens"`));
    const served = await browser(instance.url)
      .get(`/groups/${group.slug}/picture/large`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(served.status, 200);
    const meta = await sharp(served.body as Buffer).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["webp", 256, 256]);

    const removed = await submit(
      owner.agent,
      `/groups/${group.slug}/edit`,
      `/groups/${group.slug}/picture/delete`,
      {},
    );
    assert.equal(removed.status, 303);
    assert.equal((await browser(instance.url).get(`/groups/${group.slug}/picture`)).status, 404);
    assert.ok(!(await browser(instance.url).get(`/groups/${group.slug}`)).text.includes(img));
  });

  it("hides a private group's picture from those who cannot read it", async () => {
    const owner = await forumMember(instance, "staff");
    const group = await newGroup(instance, owner, {
      name: "Bureau restreint",
      visibility: "private",
    });
    assert.equal((await uploadPicture(owner.agent, group.slug, await photo())).status, 303);
    assert.equal((await owner.agent.get(`/groups/${group.slug}/picture/small`)).status, 200);
    assert.equal(
      (await browser(instance.url).get(`/groups/${group.slug}/picture/small`)).status,
      404,
    );
  });
});
