// The same remote post can reach us twice: a group announces both the bare post (fetched from its
// id, where it may carry no `Mention` tags) and its Create, in either order. A member the second
// copy names for the first time is told once, as if that copy had come first; an edit that adds
// a mention tells nobody, as for local edits.
import assert from "node:assert/strict";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { storeIncoming, type IncomingPost } from "../../server/forums/incoming.service.ts";
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { createMember } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const REMOTE = "https://forum.example";

describe("forums federation: a remote post received twice", function () {
  this.timeout(60_000);
  let instance: TestInstance;
  let groupId: string;

  before(async () => {
    instance = await startTestInstance();
    const actor = await saveRemoteActor(instance.ctx.db, {
      uri: `${REMOTE}/c/velo`,
      host: "forum.example",
      type: "Group",
      username: "velo",
      name: "Vélo",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `${REMOTE}/c/velo/inbox`,
      sharedInbox: null,
      outbox: `${REMOTE}/c/velo/outbox`,
      followersUrl: null,
    });
    groupId = (await saveRemoteGroup(instance.ctx.db, actor)).id;
  });
  after(() => instance?.destroy());

  const store = (input: IncomingPost) =>
    instance.ctx.transaction((tx) =>
      storeIncoming(tx, instance.ctx.config.publicUrl, groupId, input),
    );
  const post = (id: string, fields: Partial<IncomingPost>): IncomingPost => ({
    apId: `${REMOTE}/post/${id}`,
    url: null,
    authorUri: `${REMOTE}/u/lou`,
    authorName: "Lou",
    authorUrl: null,
    html: "<p>Sortie dimanche</p>",
    title: null,
    inReplyTo: null,
    context: null,
    published: new Date(),
    public: true,
    ...fields,
  });
  async function mentionsOf(userId: string): Promise<number> {
    const rows = await instance.ctx.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", userId)
      .where("kind", "=", "forums:mention")
      .execute();
    return rows.length;
  }
  /** The notify jobs run after commit, in the instance's worker. */
  async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await probe()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}`);
  }
  /** Long enough for a job enqueued before to have run (for what must not happen). */
  const pause = () => new Promise((resolve) => setTimeout(resolve, 2000));

  it("tells a member named only by the second copy, once; an edit adding a mention tells nobody", async () => {
    const alice = await createMember(instance);
    const bob = await createMember(instance);
    const carol = await createMember(instance);
    const opening = post("1", { title: "Sorties à vélo" });
    const opened = await store(opening);
    assert.equal(opened.kind, "created");
    // Carol follows the topic: her notice of the reply says the first copy's job has run.
    await instance.ctx.db
      .insertInto("forum_subscriptions")
      .values({ user_id: carol.user.id, topic_id: (opened as { topicId: string }).topicId })
      .execute();
    const mention = (m: { username: string; user: { id: string } }) => ({
      acct: `${m.username}@${instance.ctx.config.publicUrl.host}`,
      userId: m.user.id,
      actorUri: `${instance.url}/users/${m.user.id}`,
    });
    const reply = post("2", {
      html: `<p>@${alice.username} tu viens ?</p>`,
      inReplyTo: opening.apId,
    });

    // The bare post first, without its tags; then the Create's copy, with them.
    assert.equal((await store(reply)).kind, "created");
    await eventually("carol told of the reply", async () => {
      const told = await instance.ctx.db
        .selectFrom("notifications")
        .select("id")
        .where("user_id", "=", carol.user.id)
        .where("kind", "=", "forums:newReply")
        .execute();
      return told.length === 1;
    });
    assert.equal(await mentionsOf(alice.user.id), 0);
    assert.equal((await store({ ...reply, mentions: [mention(alice)] })).kind, "updated");
    await eventually(
      "alice told of the mention",
      async () => (await mentionsOf(alice.user.id)) > 0,
    );
    // Each copy's job may see the mention: she is told once. A third copy names nobody new.
    await store({ ...reply, mentions: [mention(alice)] });
    await pause();
    assert.equal(await mentionsOf(alice.user.id), 1);

    // An edit that adds bob: kept, but as for local edits nobody is told.
    await store({
      ...reply,
      html: `<p>@${alice.username} @${bob.username} tu viens ?</p>`,
      mentions: [mention(alice), mention(bob)],
    });
    await pause();
    assert.equal(await mentionsOf(bob.user.id), 0);
    assert.equal(await mentionsOf(alice.user.id), 1);
  });
});
