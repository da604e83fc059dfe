// A tutorial's questions and comments are a topic of the forums, in one group that holds every
// tutorial's discussion: writing, mentions, likes, reports and justified removal are the forums'
// own services, not a copy. The tutorial's authors are told of each comment.
import type { User } from "../accounts/accounts.repo.ts";
import type { Tx } from "../db/transaction.ts";
import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { groupAccess, type GroupAccess } from "../forums/access.ts";
import * as groups from "../forums/groups.repo.ts";
import type { Group } from "../forums/groups.repo.ts";
import type { ForumDeps } from "../forums/groups.service.ts";
import { excerpt } from "../forums/richtext.ts";
import * as topics from "../forums/topics.service.ts";
import type { WriteError } from "../forums/topics.service.ts";
import { coauthorIds, type Tutorial } from "./tutorials.repo.ts";

const SLUG = "tutoriels_discussions";

/** The group of the tutorials' discussions, opened the first time someone comments. */
export async function discussionGroup(tx: Tx): Promise<Group> {
  const row = await tx.db
    .selectFrom("tutorial_forum")
    .select("group_id")
    .forUpdate()
    .executeTakeFirstOrThrow();
  const existing = row.group_id ? await groups.findGroup(tx.db, { id: row.group_id }) : undefined;
  if (existing) return existing;
  let slug = SLUG;
  for (let i = 2; await groups.slugTaken(tx.db, slug); i++) slug = `${SLUG}_${i}`;
  // Members only and not federated as a group: each tutorial's own visibility decides who reads
  // its comments, on its page.
  const id = await groups.insertGroup(tx.db, {
    slug,
    name: "Discussions des tutoriels",
    descriptionSource: "",
    descriptionHtml: "",
    rulesSource: "",
    rulesHtml: "",
    visibility: "local",
    postPolicy: "members",
    joinPolicy: "open",
    createdBy: null,
  });
  await tx.db.updateTable("tutorial_forum").set({ group_id: id }).execute();
  return (await groups.findGroup(tx.db, { id }))!;
}

export async function commentAccess(
  db: Db,
  user: User | undefined,
): Promise<{ group: Group; access: GroupAccess } | undefined> {
  const row = await db.selectFrom("tutorial_forum").select("group_id").executeTakeFirst();
  const group = row?.group_id ? await groups.findGroup(db, { id: row.group_id }) : undefined;
  return group && { group, access: await groupAccess(db, group, user) };
}

export async function comment(
  tx: Tx,
  deps: ForumDeps,
  input: { tutorial: Tutorial; user: User; source: string; inReplyToId?: string | undefined },
): Promise<Result<{ postId: string }, WriteError | "not_published">> {
  const { tutorial, user } = input;
  if (tutorial.status !== "published") return fail("not_published");
  const group = await discussionGroup(tx);
  const access = await groupAccess(tx.db, group, user);
  const current = await tx.db
    .selectFrom("tutorials")
    .select("topic_id")
    .where("id", "=", tutorial.id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const topic = current.topic_id ? await topics.findTopic(tx.db, current.topic_id) : undefined;
  let postId: string;
  if (!topic) {
    const created = await topics.createTopic(tx, deps, {
      group,
      access,
      user,
      source: input.source,
      title: tutorial.title.slice(0, 150),
    });
    if (!created.ok) return created;
    await tx.db
      .updateTable("tutorials")
      .set({ topic_id: created.value.topicId })
      .where("id", "=", tutorial.id)
      .execute();
    postId = created.value.postId;
  } else {
    const replied = await topics.reply(tx, deps, {
      group,
      access,
      user,
      source: input.source,
      topic,
      inReplyToId: input.inReplyToId,
    });
    if (!replied.ok) return replied;
    postId = replied.value.postId;
  }
  const authors = [tutorial.authorId, ...(await coauthorIds(tx.db, tutorial.id))];
  for (const userId of new Set(authors))
    if (userId && userId !== user.id)
      await notify(tx, deps.publicUrl, {
        userId,
        kind: "tutorials:commented",
        data: {
          name: user.displayName,
          title: tutorial.title,
          excerpt: excerpt(input.source, 140),
        },
        link: `/tutorials/${tutorial.id}#comments`,
      });
  return ok({ postId });
}

/** The comments as the tutorial's page shows them (the forums' post views). */
export async function listComments(db: Db, tutorialId: string, user: User | undefined) {
  const row = await db
    .selectFrom("tutorials")
    .select("topic_id")
    .where("id", "=", tutorialId)
    .executeTakeFirst();
  const topic = row?.topic_id ? await topics.findTopic(db, row.topic_id) : undefined;
  if (!topic) return { topic: undefined, posts: [] };
  const page = await topics.readTopicPage(db, { topic, userId: user?.id, page: 1 });
  return { topic, posts: page.posts };
}
