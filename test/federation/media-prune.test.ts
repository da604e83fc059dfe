// The daily prune of our copies of remote pictures (issue 16 item 8): an old copy nothing names
// any more goes (row and file); an old copy an offer or a forum post shows stays, as does a recent
// one.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { mediaFile } from "../../federation/media/media.fetch.ts";
import { MEDIA_KEEP_DAYS, pruneMedia } from "../../federation/media/media.prune.ts";
import { createMember } from "../support/accounts.ts";
import { forumMember } from "../forums/helpers.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer } from "../offers/support.ts";

const key = (c: string) => c.repeat(64);

describe("federation: old copies of remote pictures", function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance?.destroy());

  it("deletes the old copies nothing shows, keeps those an offer or a post shows and recent ones", async () => {
    const { db, config } = instance.ctx;
    const old = new Date(Date.now() - (MEDIA_KEEP_DAYS + 1) * 86_400_000);
    const copies = {
      unused: key("a"),
      failed: key("b"),
      offer: key("c"),
      post: key("d"),
      recent: key("e"),
    };
    const staff = await createMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id);
    await db
      .updateTable("offers")
      .set({ remote_image: `/media/${copies.offer}` })
      .where("id", "=", offer.id)
      .execute();
    // A post whose content shows a picture, as the forums keep one received from elsewhere.
    const writer = await forumMember(instance, "staff");
    const group = await writer.api.post("/groups", { name: "Photos", visibility: "public" });
    assert.equal(group.status, 201, group.text);
    const topic = await writer.api.post(`/groups/${group.body.id as string}/topics`, {
      title: "Coucher de soleil",
      content: "Depuis la plage",
    });
    assert.equal(topic.status, 201, topic.text);
    await db
      .updateTable("forum_posts")
      .set({ content_html: `<p><img src="/media/${copies.post}" alt="Soleil"></p>` })
      .where("topic_id", "=", topic.body.id as string)
      .execute();

    // The copies are stored once the offer and the post name them: the instance's own daily job
    // may tick at any moment (it did while a loaded machine was still making the offer), and it
    // must then find the same state as the call below.
    for (const [name, k] of Object.entries(copies)) {
      // The file first: a row the job finds has its file to delete.
      const file = mediaFile(config.dataDir, k);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, "webp");
      await db
        .insertInto("federation_media")
        .values({
          key: k,
          url: `https://elsewhere.example/${name}.png`,
          size: "picture",
          state: name === "failed" ? "failed" : "ready",
          fetched_at: name === "recent" ? new Date() : old,
        })
        .execute();
    }
    // The job's tick may also come between these inserts and this call: the state is checked.
    await pruneMedia(instance.federation);
    const left = await db.selectFrom("federation_media").select("key").execute();
    const kept = new Set(left.map((r) => r.key));
    assert.ok(!kept.has(copies.unused) && !kept.has(copies.failed));
    assert.ok(kept.has(copies.offer) && kept.has(copies.post) && kept.has(copies.recent));
    assert.ok(!existsSync(mediaFile(config.dataDir, copies.unused)));
    assert.ok(existsSync(mediaFile(config.dataDir, copies.offer)));
    // Nothing more to do the second time.
    assert.equal(await pruneMedia(instance.federation), 0);
  });
});
