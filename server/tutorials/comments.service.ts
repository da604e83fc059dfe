// A tutorial's questions and comments are a topic of the forums, in one group that holds every
// tutorial's discussion: writing, mentions, likes, reports and justified removal are the forums'
// own services, not a copy. The tutorial's authors are told of each comment.
import type { User } from "../accounts/accounts.repo.ts";
import type { Tx } from "../db/transaction.ts";
import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import type { GroupAccess } from "../forums/access.ts";
import {
  discussionAccess,
  discussionGroupOf,
  postInDiscussion,
  type DiscussionHome,
} from "../forums/discussion-groups.ts";
import type { Group } from "../forums/groups.repo.ts";
import type { ForumDeps } from "../forums/groups.service.ts";
import { excerpt } from "../forums/richtext.ts";
import * as topics from "../forums/topics.service.ts";
import type { WriteError } from "../forums/topics.service.ts";
import { coauthorIds, type Tutorial } from "./tutorials.repo.ts";
import type { TutorialsPort } from "./tutorials.port.ts";

const SLUG = "tutoriels_discussions";

const HOME: DiscussionHome = {
  slug: SLUG,
  name: "Discussions des tutoriels",
  read: async (db, lock) => {
    const query = db.selectFrom("tutorial_forum").select("group_id");
    return (await (lock ? query.forUpdate() : query).executeTakeFirst())?.group_id;
  },
  remember: async (db, groupId) => {
    await db.updateTable("tutorial_forum").set({ group_id: groupId }).execute();
  },
};

/** The group of the tutorials' discussions, opened the first time someone comments. */
export const discussionGroup = (tx: Tx): Promise<Group> => discussionGroupOf(tx, HOME);

export const commentAccess = (
  db: Db,
  user: User | undefined,
): Promise<{ group: Group; access: GroupAccess } | undefined> => discussionAccess(db, HOME, user);

export async function comment(
  tx: Tx,
  deps: ForumDeps,
  input: { tutorial: Tutorial; user: User; source: string; inReplyToId?: string | undefined },
  port?: TutorialsPort,
): Promise<Result<{ postId: string }, WriteError | "not_published">> {
  const { tutorial, user } = input;
  if (tutorial.status !== "published") return fail("not_published");
  const posted = await postInDiscussion(
    tx,
    deps,
    HOME,
    {
      title: tutorial.title,
      topicId: async (t) =>
        (
          await t.db
            .selectFrom("tutorials")
            .select("topic_id")
            .where("id", "=", tutorial.id)
            .forUpdate()
            .executeTakeFirstOrThrow()
        ).topic_id,
      setTopic: async (t, topicId) => {
        await t.db
          .updateTable("tutorials")
          .set({ topic_id: topicId })
          .where("id", "=", tutorial.id)
          .execute();
      },
    },
    { user, source: input.source, inReplyToId: input.inReplyToId },
  );
  if (!posted.ok) return posted;
  const { postId } = posted.value;
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
  // A remote tutorial: its instance, where it is moderated, gets the comment too.
  if (tutorial.remoteUri && port)
    await port.commented(tx, { tutorialId: tutorial.id, postId, userId: user.id });
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
