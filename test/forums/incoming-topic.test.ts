// A post from another instance opening a topic in one of our groups: the topic is written with
// its first post counted (issue 15: the inbox's cost per topic), and replies count on from there.
import assert from "node:assert/strict";
import { postObject } from "../../federation/forums/objects.ts";
import { openGroup } from "../support/groups.ts";
import {
  receivePostInGroup,
  storeIncoming,
  type IncomingPost,
} from "../../server/forums/incoming.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { counting, countStatements } from "../support/statements.ts";

const AUTHOR = "https://autre.example/users/lea";

describe("forums: a remote post opening a topic", () => {
  let instance: TestInstance;
  let groupId: string;

  before(async () => {
    instance = await startTestInstance();
    groupId = (await openGroup(instance)).id;
  });
  after(() => instance?.destroy());

  const post = (id: string, text: string, inReplyTo: string | null = null): IncomingPost => ({
    apId: `https://autre.example/notes/${id}`,
    url: null,
    authorUri: AUTHOR,
    authorName: "Léa",
    authorUrl: null,
    html: `<p>${text}</p>`,
    title: null,
    inReplyTo,
    context: null,
    published: new Date(Date.UTC(2026, 0, 15, 9)),
    public: true,
  });
  const store = (input: IncomingPost) =>
    instance.ctx.transaction(async (tx) => {
      const counted = countStatements(tx);
      const outcome = await storeIncoming(
        counted.tx,
        instance.ctx.config.publicUrl,
        groupId,
        input,
      );
      return { outcome, kinds: counted.kinds };
    });
  const topic = (id: string) =>
    instance.ctx.db
      .selectFrom("forum_topics")
      .select(["post_count", "last_post_at", "created_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  const group = () =>
    instance.ctx.db
      .selectFrom("forum_groups")
      .select(["topic_count", "last_activity_at"])
      .where("id", "=", groupId)
      .executeTakeFirstOrThrow();

  it("writes the topic with its first post counted, then replies count on", async () => {
    const before = Date.now();
    const counts = (await group()).topic_count;
    const { outcome, kinds } = await store(post("1", "Qui a une remorque ?"));
    assert.equal(outcome.kind, "created");
    if (outcome.kind !== "created") return;
    // The post's id looked up, then the topic, the post and the group's counts in one statement
    // (before: the topic, then it counted again, the post, the group, in four).
    assert.deepEqual(kinds, ["select", "insert"]);
    const touched = await group();
    assert.equal(touched.topic_count, counts + 1);
    assert.ok(touched.last_activity_at.getTime() >= before - 1000);
    const opened = await topic(outcome.topicId);
    assert.equal(opened.post_count, 1);
    assert.equal(opened.created_at.getTime(), Date.UTC(2026, 0, 15, 9));
    // As the second statement set it: when the post arrived here.
    assert.ok(opened.last_post_at.getTime() >= before - 1000);
    const first = await instance.ctx.db
      .selectFrom("forum_posts")
      .select("position")
      .where("id", "=", outcome.postId)
      .executeTakeFirstOrThrow();
    assert.equal(first.position, 1);

    const reply = await store(post("2", "Moi !", "https://autre.example/notes/1"));
    assert.equal(reply.outcome.kind, "created");
    assert.equal((await topic(outcome.topicId)).post_count, 2);
    // A reply: the group's activity moves, its topics stay as many.
    assert.equal((await group()).topic_count, counts + 1);
  });

  /** As the inbox hands over a post from one of our groups' remote members. */
  const receive = (input: IncomingPost) =>
    instance.ctx.transaction(async (tx) => {
      const counted = countStatements(tx);
      const outcome = await receivePostInGroup(
        counted.tx,
        instance.ctx.config.publicUrl,
        { id: groupId, post_policy: "members", join_policy: "open" },
        input,
      );
      return { outcome, kinds: counted.kinds };
    });

  it("reads whether the author is banned with our copy of the post in one statement", async () => {
    const first = await receive(post("4", "Une tente quatre places ?"));
    assert.equal(first.outcome.kind, "created");
    // Whether its author is banned and the post's id looked up, then as storeIncoming alone.
    // Before: the ban, then the post's id, in two statements.
    assert.deepEqual(first.kinds, ["select", "insert"]);

    // The same post again (another copy): found by the same statement, nothing written.
    const again = await receive(post("4", "Une tente quatre places ?"));
    assert.equal(again.outcome.kind, "updated");
    if (first.outcome.kind !== "created" || again.outcome.kind !== "updated") return;
    assert.equal(again.outcome.postId, first.outcome.postId);
    assert.deepEqual(again.kinds, ["select"]);

    // Its author banned from the group: refused, nothing more read.
    await instance.ctx.db
      .insertInto("forum_bans")
      .values({ group_id: groupId, actor_ap_id: AUTHOR, reason: "Spam" })
      .execute();
    const banned = await receive(post("5", "Achetez !"));
    assert.deepEqual(banned.outcome, { kind: "refused", refusal: "banned" });
    assert.deepEqual(banned.kinds, ["select"]);
    // A ban lifted no longer counts.
    await instance.ctx.db
      .updateTable("forum_bans")
      .set({ lifted_at: new Date() })
      .where("group_id", "=", groupId)
      .execute();
    assert.equal((await receive(post("5", "Pardon."))).outcome.kind, "created");
  });

  it("reads the topic's post object, pictures included, in one statement", async () => {
    const { outcome } = await store(post("3", "Un vélo à prêter"));
    assert.equal(outcome.kind, "created");
    if (outcome.kind !== "created") return;
    const { db, kinds } = counting(instance.ctx.db);
    const found = await postObject(db, instance.ctx.config.publicUrl, outcome.postId);
    // Before: the post, then its pictures.
    assert.deepEqual(kinds, ["select"]);
    assert.equal(found?.object.id?.href, "https://autre.example/notes/3");
    assert.deepEqual(found?.object.attachmentIds, []);
  });
});
