import assert from "node:assert/strict";
import supertest from "supertest";
import { unzip } from "../../server/privacy/zip.ts";
import { purgeRegistrations } from "../../server/privacy/retention.service.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, submit, type Agent } from "../support/web.ts";
import { forumMember, newGroup } from "../forums/helpers.ts";
import { DAY, makeOffer } from "../offers/support.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe("personal data", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  const admin = { email: "admin-rgpd@exemple.fr", password: "administrateur sûr" };
  before(async () => {
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    });
  });
  after(() => instance.destroy());

  /** Follows the progress page as a browser would, until it stops reloading itself. */
  async function settle(agent: Agent, path: string) {
    let reloads = 0;
    for (let i = 0; i < 600; i++) {
      const page = await agent.get(path);
      assert.equal(page.status, 200);
      if (!page.headers.refresh) return { page, reloads };
      assert.match(page.text, /<progress id="export-progress"/);
      reloads++;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the export did not finish");
  }

  it("builds 'Download my data' in a job, for its owner only, for 24 hours", async () => {
    const author = await forumMember(instance);
    await submit(author.agent, "/me/family", "/me/family", {
      firstName: "Zoé",
      relation: "child",
      birthYear: 2014,
    });
    const owner = await forumMember(instance, "staff");
    const group = await newGroup(instance, owner, { name: "Photos de sorties" });
    const topic = await author.api.post(`/groups/${group.id}/topics`, {
      title: "Le lac en hiver",
      content: "Regardez cette photo.",
    });
    assert.equal(topic.status, 201, topic.text);
    const post = await instance.ctx.db
      .selectFrom("forum_posts")
      .select("id")
      .where("author_id", "=", author.user.id)
      .executeTakeFirstOrThrow();
    await instance.ctx.db
      .insertInto("forum_attachments")
      .values({ post_id: post.id, content_type: "image/png", size: PNG.length, data: PNG })
      .execute();

    const asked = await submit(author.agent, "/me/data", "/me/data/exports", {});
    assert.equal(asked.status, 303);
    const path = asked.headers.location!;
    const { page } = await settle(author.agent, path);
    assert.match(page.text, /Télécharger l&#x27;archive/);
    const download = await author.agent
      .get(`${path}/archive.zip`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(download.status, 200);
    assert.equal(download.headers["content-type"], "application/zip");
    const files = unzip(download.body as Buffer);
    const data = JSON.parse(files.get("data.json")!.toString("utf8")) as {
      account: { email: string; password_hash?: string };
      familyMembers: { first_name: string }[];
      forumPosts: { topic: string }[];
    };
    assert.equal(data.account.email, author.email);
    assert.equal(data.account.password_hash, undefined);
    assert.deepEqual(
      data.familyMembers.map((f) => f.first_name),
      ["Zoé"],
    );
    assert.deepEqual(
      data.forumPosts.map((p) => p.topic),
      ["Le lac en hiver"],
    );
    const image = [...files.entries()].find(([name]) => name.startsWith("files/forum/"));
    assert.ok(image && image[1].equals(PNG), "the member's uploaded image is in the archive");

    const other = await loggedIn(instance, await createMember(instance));
    assert.equal((await other.get(`${path}/archive.zip`)).status, 404);
    assert.equal((await browser(instance.url).get(`${path}/archive.zip`)).status, 303);
    await instance.ctx.db
      .updateTable("data_exports")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_id", "=", author.user.id)
      .execute();
    assert.equal((await author.agent.get(`${path}/archive.zip`)).status, 410);
  });

  it("keeps the record of processing and purges registrations after the admin's period", async () => {
    const agent = await loggedIn(instance, admin);
    const record = await agent.get("/admin/privacy");
    assert.equal(record.status, 200);
    assert.match(record.text, /Inscriptions aux offres/);
    const tooShort = await submit(agent, "/admin/privacy", "/admin/privacy", { days: 10 });
    assert.equal(tooShort.status, 422);
    const saved = await submit(agent, "/admin/privacy", "/admin/privacy", { days: 30 });
    assert.equal(saved.status, 303);
    assert.match((await agent.get("/admin/privacy")).text, /30 jours après la fin de l&#x27;offre/);

    const staff = await createMember(instance, "staff");
    const member = await forumMember(instance);
    const old = await makeOffer(instance, staff.user.id, { title: "Sortie d'antan" });
    const recent = await makeOffer(instance, staff.user.id, { title: "Sortie récente" });
    for (const offer of [old, recent]) {
      const res = await supertest(instance.url)
        .post(`/api/v1/offers/${offer.id}/registrations`)
        .set("Authorization", `Bearer ${member.token}`)
        .send({ persons: 1 });
      assert.equal(res.status, 201, res.text);
    }
    const ended = async (id: string, daysAgo: number) =>
      instance.ctx.db
        .updateTable("offers")
        .set({
          starts_at: new Date(Date.now() - (daysAgo + 1) * DAY),
          ends_at: new Date(Date.now() - daysAgo * DAY),
        })
        .where("id", "=", id)
        .execute();
    await ended(old.id, 40);
    await ended(recent.id, 10);
    assert.ok((await purgeRegistrations(instance.ctx.db)) >= 1);
    const rows = await instance.ctx.db
      .selectFrom("offer_registrations")
      .select(["offer_id", "user_id", "actor_url", "persons", "status"])
      .where("offer_id", "in", [old.id, recent.id])
      .execute();
    const purged = rows.find((r) => r.offer_id === old.id)!;
    const kept = rows.find((r) => r.offer_id === recent.id)!;
    assert.equal(purged.user_id, null);
    assert.match(purged.actor_url!, /^urn:maillage:purged:/);
    assert.equal(purged.persons, 1, "the counts stay");
    assert.equal(kept.user_id, member.user.id);
    assert.equal(await purgeRegistrations(instance.ctx.db), 0, "a purge is done once");
  });

  it("deletes an account and removes its posts when asked", async () => {
    const author = await forumMember(instance);
    const moderator = await forumMember(instance, "staff");
    const group = await newGroup(instance, moderator, { name: "Jardinage partagé" });
    const topic = await author.api.post(`/groups/${group.id}/topics`, {
      title: "Semis de tomates",
      content: "Mes semis sont prêts.",
    });
    assert.equal(topic.status, 201, topic.text);
    const wrong = await submit(author.agent, "/me/delete", "/me/delete", {
      password: "pas le bon",
      content: "remove",
    });
    assert.equal(wrong.status, 422);
    const done = await submit(author.agent, "/me/delete", "/me/delete", {
      password: author.password,
      content: "remove",
    });
    assert.equal(done.status, 303);
    const post = await instance.ctx.db
      .selectFrom("forum_posts")
      .select(["author_id", "author_name", "removed_at"])
      .where("topic_id", "=", (topic.body as { id: string }).id)
      .executeTakeFirstOrThrow();
    assert.equal(post.author_id, null);
    assert.equal(post.author_name, "Ancien membre");
    assert.ok(post.removed_at, "the post is removed");
    const gone = await instance.ctx.db
      .selectFrom("users")
      .select("id")
      .where("id", "=", author.user.id)
      .executeTakeFirst();
    assert.equal(gone, undefined);
  });

  it("loads nothing from another site: the CSP allows this instance only", async () => {
    const page = await browser(instance.url).get("/");
    const csp = String(page.headers["content-security-policy"]);
    for (const directive of csp.split(";")) {
      const sources = directive.trim().split(/\s+/).slice(1);
      for (const source of sources)
        assert.match(source, /^('self'|'none'|data:)$/, `${directive.trim()} allows ${source}`);
    }
  });
});
