// The job that tells people of a new post (issue 15: its cost in statements, run once per post
// written here or received from another instance), with its rules: the most specific reason,
// each person once, nobody told of a post they may not read, a mention told once.
import assert from "node:assert/strict";
import type { Tx } from "../../server/db/transaction.ts";
import { findUserById, type User } from "../../server/accounts/accounts.repo.ts";
import { groupAccess } from "../../server/forums/access.ts";
import type { Group } from "../../server/forums/groups.repo.ts";
import { forumDeps } from "../../server/forums/groups.service.ts";
import { putMembership, setSubscription } from "../../server/forums/memberships.repo.ts";
import { notifyPost } from "../../server/forums/notify.service.ts";
import { findTopic } from "../../server/forums/topics.repo.ts";
import { createTopic, reply } from "../../server/forums/topics.service.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { countStatements } from "../support/statements.ts";
import { ageAccount, newGroup, notificationsOf } from "./helpers.ts";

describe("forums: telling people of a new post", () => {
  let instance: TestInstance;
  let staff: Member;
  let alice: Member;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "admin");
    alice = await createMember(instance, "member", "alice");
  });
  after(() => instance?.destroy());

  /** A topic opened without its notify job, which the test runs itself. */
  async function openTopic(group: Group, author: User, source: string): Promise<string> {
    const created = await instance.ctx.transaction(async (tx) => {
      const quiet: Tx = { ...tx, enqueue: () => {} };
      const access = await groupAccess(tx.db, group, author);
      return createTopic(quiet, forumDeps(instance.ctx), {
        group,
        access,
        user: author,
        title: "Sortie vélo",
        source,
      });
    });
    if (!created.ok) throw new Error(created.error);
    return created.value.postId;
  }

  /** A reply written without its notify job, as openTopic. */
  async function answer(
    group: Group,
    author: User,
    topicId: string,
    source: string,
    to: { inReplyToId?: string; quoteOfId?: string },
  ): Promise<string> {
    const written = await instance.ctx.transaction(async (tx) => {
      const quiet: Tx = { ...tx, enqueue: () => {} };
      const access = await groupAccess(tx.db, group, author);
      const topic = (await findTopic(tx.db, topicId))!;
      return reply(quiet, forumDeps(instance.ctx), {
        group,
        access,
        user: author,
        topic,
        source,
        ...to,
      });
    });
    if (!written.ok) throw new Error(written.error);
    return written.value.postId;
  }

  const run = (postId: string, mentionedOnly?: string[]) =>
    instance.ctx.transaction(async (tx) => {
      const counted = countStatements(tx);
      const sent = await notifyPost(
        counted.tx,
        instance.ctx.config.publicUrl,
        postId,
        mentionedOnly,
      );
      return { sent, kinds: counted.kinds };
    });

  const member = async (group: Group, who: Member) => {
    await putMembership(instance.ctx.db, {
      groupId: group.id,
      userId: who.user.id,
      role: "member",
      state: "active",
      origin: "self",
    });
    await setSubscription(instance.ctx.db, who.user.id, { groupId: group.id }, true);
  };

  it("tells the subscriber of a new topic in a public group in three reads and one write", async () => {
    const group = await newGroup(instance, staff, { name: "Balades" });
    // Its founder follows it too: Bob is the one subscriber.
    await setSubscription(instance.ctx.db, staff.user.id, { groupId: group.id }, false);
    const bob = await createMember(instance, "member", "bob");
    await member(group, bob);
    const postId = await openTopic(group, alice.user, "Qui vient dimanche ?");

    const { sent, kinds } = await run(postId);
    assert.equal(sent, 1);
    // The post with its topic and group, the people concerned (whom it mentions, the group's
    // subscribers), the subscriber's account, then the notice. Before: the post, topic, group,
    // mentions and subscribers in five statements.
    assert.deepEqual(kinds, ["select", "select", "select", "insert"]);
    const notices = await notificationsOf(instance, bob.user.id);
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.kind, "forums:newTopic");
    assert.equal(notices[0]!.data.group, "Balades");
    assert.equal(notices[0]!.link, `/topics/${(await topicOf(postId)).topic_id}`);
    // The author is not told of their own post.
    assert.equal((await notificationsOf(instance, alice.user.id)).length, 0);
  });

  it("in a private group, tells its members only, reading accounts and memberships at once", async () => {
    const group = await newGroup(instance, staff, { name: "Bureau", visibility: "private" });
    const bob = await createMember(instance, "member", "bob");
    const carol = await createMember(instance, "member", "carol");
    const dave = await createMember(instance, "member", "dave");
    await member(group, bob);
    await member(group, carol);
    // Dave is subscribed without being a member (he left): he may not read the group any more.
    await setSubscription(instance.ctx.db, dave.user.id, { groupId: group.id }, true);
    const postId = await openTopic(group, staff.user, `Ordre du jour, @${carol.username} ?`);

    const { sent, kinds } = await run(postId);
    assert.equal(sent, 2);
    // The post with its topic and group, the people concerned with whether Carol was told of
    // the mention already, the three accounts, their memberships, then one notice each. Before:
    // the post, topic, group, mentions, subscribers and earlier notices in six statements.
    assert.deepEqual(kinds, ["select", "select", "select", "select", "insert", "insert"]);
    // Carol is both mentioned and subscribed: told once, for the most specific reason.
    assert.deepEqual(
      (await notificationsOf(instance, carol.user.id)).map((n) => n.kind),
      ["forums:mention"],
    );
    assert.deepEqual(
      (await notificationsOf(instance, bob.user.id)).map((n) => n.kind),
      ["forums:newTopic"],
    );
    assert.equal((await notificationsOf(instance, dave.user.id)).length, 0);

    // A second copy of the post naming the same people: Carol was told of the mention already,
    // Bob is not mentioned; nobody is told again.
    const again = await run(postId, [carol.user.id, bob.user.id]);
    assert.equal(again.sent, 0);
    assert.equal((await notificationsOf(instance, carol.user.id)).length, 1);
    assert.equal((await notificationsOf(instance, bob.user.id)).length, 1);
  });

  it("tells who is answered, quoted, mentioned and subscribed to the topic, once each, in three reads", async () => {
    const group = await newGroup(instance, staff, { name: "Covoiturage" });
    const bob = await createMember(instance, "member", "bob");
    const carol = await createMember(instance, "member", "carol");
    const dave = await createMember(instance, "member", "dave");
    const erin = await createMember(instance, "member", "erin");
    // Accounts a month old: a new one may not write three posts in a row (slow mode).
    const aged = async (who: Member) => {
      await ageAccount(instance, who.user.id, 30);
      return (await findUserById(instance.ctx.db, who.user.id))!;
    };
    const opening = await openTopic(group, await aged(alice), "Qui part de Chambéry ?");
    const { topic_id: topicId } = await topicOf(opening);
    const bobsPost = await answer(group, await aged(bob), topicId, "Moi, samedi.", {});
    // Everybody follows the topic, the writer of the new reply too.
    for (const who of [alice, bob, carol, dave, erin])
      await setSubscription(instance.ctx.db, who.user.id, { topicId }, true);
    // Dave answers Alice, quotes Bob and names Carol: each by that reason, Erin as a subscriber.
    const davesPost = await answer(group, await aged(dave), topicId, `@${carol.username} aussi ?`, {
      inReplyToId: opening,
      quoteOfId: bobsPost,
    });

    const { sent, kinds } = await run(davesPost);
    assert.equal(sent, 4);
    // The post with its topic and group, the people concerned (mentioned, answered and quoted
    // authors, the topic's subscribers), their accounts, then one notice each. Before: the post,
    // topic, group, mentions, the answered post, the quoted one, the subscribers and earlier
    // notices in eight statements.
    assert.deepEqual(kinds, [
      ...["select", "select", "select"],
      ...["insert", "insert", "insert", "insert"],
    ]);
    const kindsOf = async (who: Member) =>
      (await notificationsOf(instance, who.user.id)).map((n) => n.kind);
    assert.deepEqual(await kindsOf(carol), ["forums:mention"]);
    assert.deepEqual(await kindsOf(alice), ["forums:reply"]);
    assert.deepEqual(await kindsOf(bob), ["forums:quoted"]);
    assert.deepEqual(await kindsOf(erin), ["forums:newReply"]);
    assert.deepEqual(await kindsOf(dave), []);
    const notice = (await notificationsOf(instance, erin.user.id))[0]!;
    assert.equal(notice.data.topic, "Sortie vélo");
    assert.equal(notice.data.group, "Covoiturage");

    // A removed topic tells nobody of its posts, read in one statement (before: three).
    await instance.ctx.db
      .updateTable("forum_topics")
      .set({ removed_at: new Date() })
      .where("id", "=", topicId)
      .execute();
    const removed = await run(davesPost);
    assert.equal(removed.sent, 0);
    assert.deepEqual(removed.kinds, ["select"]);
    assert.equal((await notificationsOf(instance, erin.user.id)).length, 1);
  });

  const topicOf = (postId: string) =>
    instance.ctx.db
      .selectFrom("forum_posts")
      .select("topic_id")
      .where("id", "=", postId)
      .executeTakeFirstOrThrow();
});
