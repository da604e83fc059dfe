// A member's avatar and bio (ADR 0102): uploaded over HTTP, re-encoded without metadata, shown on
// the profile and beside forum posts, refused when not an image, removable, exported and gone
// with the account.
import assert from "node:assert/strict";
import sharp from "sharp";
import { unzip } from "../../server/privacy/zip.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, submit, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { forumMember, newGroup } from "../forums/helpers.ts";

async function phonePhoto(): Promise<Buffer> {
  return sharp({
    create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 90, b: 40 } },
  })
    .jpeg()
    .withExif({ IFD0: { Make: "PhoneMaker", Model: "Secret Model 12" } })
    .toBuffer();
}

async function uploadAvatar(agent: Agent, data: Buffer, filename = "moi.jpg", type = "image/jpeg") {
  const page = await agent.get("/me");
  return agent
    .post("/me/avatar")
    .field("_csrf", csrfFrom(page.text))
    .attach("avatar", data, { filename, contentType: type });
}

const binary = (agent: Agent, path: string) =>
  agent
    .get(path)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(null, Buffer.concat(chunks)));
    });

describe(`members: avatar and bio (${MODE})`, function () {
  this.timeout(120_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("uploads a picture, shows it on the profile and beside posts, then removes it", async () => {
    const member = await forumMember(instance);
    const before = await member.agent.get("/me");
    assert.match(before.text, /<span class="avatar avatar--large" aria-hidden="true">/);

    const uploaded = await uploadAvatar(member.agent, await phonePhoto());
    assert.equal(uploaded.status, 303, uploaded.text);
    const page = await member.agent.get("/me");
    const img = new RegExp(
      `<img class="avatar avatar--large" src="/members/${member.user.id}/avatar/large" width="64" height="64" alt="Photo de [^"]+">`,
    );
    assert.match(page.text, img);

    const served = await binary(browser(instance.url), `/members/${member.user.id}/avatar/large`);
    assert.equal(served.status, 200);
    assert.equal(served.headers["content-type"], "image/webp");
    const meta = await sharp(served.body as Buffer).metadata();
    assert.equal(meta.format, "webp");
    assert.deepEqual([meta.width, meta.height], [256, 256]);
    assert.equal(meta.exif, undefined, "no metadata kept");
    const small = await sharp(
      (await binary(member.agent, `/members/${member.user.id}/avatar/small`)).body as Buffer,
    ).metadata();
    assert.deepEqual([small.width, small.height], [96, 96]);

    const owner = await forumMember(instance, "staff");
    const group = await newGroup(instance, owner, { name: "Randonnées du dimanche" });
    const topic = await member.api.post(`/groups/${group.id}/topics`, {
      title: "Sortie au lac",
      content: "Qui vient ?",
    });
    assert.equal(topic.status, 201, topic.text);
    const topicPage = await owner.agent.get(`/topics/${(topic.body as { id: string }).id}`);
    assert.match(
      topicPage.text,
      new RegExp(
        `<img class="avatar" src="/members/${member.user.id}/avatar/small" width="32" height="32"`,
      ),
    );

    const removed = await submit(member.agent, "/me", "/me/avatar/delete", {});
    assert.equal(removed.status, 303);
    assert.doesNotMatch((await member.agent.get("/me")).text, img);
    assert.equal(
      (await browser(instance.url).get(`/members/${member.user.id}/avatar`)).status,
      404,
    );
    const after = await owner.agent.get(`/topics/${(topic.body as { id: string }).id}`);
    assert.doesNotMatch(after.text, /<img class="avatar"/);
  });

  it("refuses a file that is not an image, a broken image and one too large, writing nothing", async () => {
    const member = await forumMember(instance);
    const text = await uploadAvatar(member.agent, Buffer.from("bonjour"), "photo.jpg");
    assert.equal(text.status, 415);
    assert.match(text.text, /pas une image JPEG, PNG ou WebP/);
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64)]);
    assert.equal((await uploadAvatar(member.agent, broken)).status, 415);
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(6 * 1024 * 1024)]);
    assert.equal((await uploadAvatar(member.agent, huge)).status, 413);
    const rows = await instance.ctx.db
      .selectFrom("member_avatars")
      .select("size")
      .where("user_id", "=", member.user.id)
      .execute();
    assert.equal(rows.length, 0);
  });

  it("keeps a short plain-text bio, refuses a long one, exports both, deletes both", async () => {
    const member = await forumMember(instance);
    const saved = await submit(member.agent, "/me", "/me/bio", {
      bio: "Retraitée, <b>j'aime</b> la marche.",
    });
    assert.equal(saved.status, 303);
    const page = await member.agent.get("/me");
    assert.match(
      page.text,
      /<p class="person__bio">Retraitée, &lt;b&gt;j&#x27;aime&lt;\/b&gt; la marche.<\/p>/,
    );
    const long = await submit(member.agent, "/me", "/me/bio", { bio: "a".repeat(301) });
    assert.equal(long.status, 422);
    assert.match((await member.agent.get("/me")).text, /la marche/);
    assert.equal((await uploadAvatar(member.agent, await phonePhoto())).status, 303);

    const asked = await submit(member.agent, "/me/data", "/me/data/exports", {});
    assert.equal(asked.status, 303);
    const path = asked.headers.location!;
    for (let i = 0; i < 600; i++) {
      const progress = await member.agent.get(path);
      if (!progress.headers.refresh) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const download = await binary(member.agent, `${path}/archive.zip`);
    assert.equal(download.status, 200);
    const files = unzip(download.body as Buffer);
    const data = JSON.parse(files.get("data.json")!.toString("utf8")) as {
      memberProfile: { bio: string; avatar: string };
    };
    assert.equal(data.memberProfile.bio, "Retraitée, <b>j'aime</b> la marche.");
    const avatar = files.get(data.memberProfile.avatar);
    assert.ok(avatar);
    assert.equal((await sharp(avatar).metadata()).format, "webp");

    const done = await submit(member.agent, "/me/delete", "/me/delete", {
      password: member.password,
      content: "anonymise",
    });
    assert.equal(done.status, 303);
    const left = await Promise.all(
      (["member_avatars", "member_bios"] as const).map((table) =>
        instance.ctx.db
          .selectFrom(table)
          .select("user_id")
          .where("user_id", "=", member.user.id)
          .execute(),
      ),
    );
    assert.deepEqual(left, [[], []]);
  });
});
