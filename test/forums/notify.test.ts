// The job that tells people of a new post (issue 15: its cost in statements, run once per post
// written here or received from another instance), with its rules: the most specific reason,
// each person once, nobody told of a post they may not read, a mention told once.
import assert from "node:assert/strict";
import type { Tx } from "../../server/db/transaction.ts";
import type { User } from "../../server/accounts/accounts.repo.ts";
import { groupAccess } from "../../server/forums/access.ts";
import type { Group } from "../../server/forums/groups.repo.ts";
import { forumDeps } from "../../server/forums/groups.service.ts";
import { putMembership, setSubscription } from "../../server/forums/memberships.repo.ts";
import { notifyPost } from "../../server/forums/notify.service.ts";
import { createTopic } from "../../server/forums/topics.service.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { countStatements } from "../support/statements.ts";
import { newGroup, notificationsOf } from "./helpers.ts";

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

  it("tells the subscriber of a new topic in a public group in six reads and one write", async () => {
    const group = await newGroup(instance, staff, { name: "Balades" });
    // Its founder follows it too: Bob is the one subscriber.
    await setSubscription(instance.ctx.db, staff.user.id, { groupId: group.id }, false);
    const bob = await createMember(instance, "member", "bob");
    await member(group, bob);
    const postId = await openTopic(group, alice.user, "Qui vient dimanche ?");

    const { sent, kinds } = await run(postId);
    assert.equal(sent, 1);
    // The post, its topic, its group, whom it mentions, the group's subscribers, then the
    // notice. Before: the subscriber's account twice (once more inside notify()), and for the
    // rights check their membership and ban, which a public group's readers do not depend on.
    assert.deepEqual(kinds, ["select", "select", "select", "select", "select", "select", "insert"]);
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
    // The post, topic, group, mentions, subscribers, whether Carol was told of the mention
    // already, the three accounts, their memberships, then one notice each: before, three or
    // four statements per person.
    assert.deepEqual(kinds, [
      ...["select", "select", "select", "select", "select", "select", "select", "select"],
      ...["insert", "insert"],
    ]);
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

  const topicOf = (postId: string) =>
    instance.ctx.db
      .selectFrom("forum_posts")
      .select("topic_id")
      .where("id", "=", postId)
      .executeTakeFirstOrThrow();
});
