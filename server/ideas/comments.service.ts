// An idea's discussion is a topic of the forums, in one group that holds every idea's discussion
// (as the tutorials' comments are): writing, mentions, likes, reports and justified removal are
// the forums' own services. The idea's author is told of each comment.
import type { User } from "../accounts/accounts.repo.ts";
import type { Tx } from "../db/transaction.ts";
import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import type { GroupAccess } from "../forums/access.ts";
import {
  discussionAccess,
  postInDiscussion,
  type DiscussionHome,
} from "../forums/discussion-groups.ts";
import type { Group } from "../forums/groups.repo.ts";
import type { ForumDeps } from "../forums/groups.service.ts";
import { excerpt } from "../forums/richtext.ts";
import * as topics from "../forums/topics.service.ts";
import type { WriteError } from "../forums/topics.service.ts";
import type { Idea } from "./ideas.service.ts";

const SLUG = "idees_discussions";

const HOME: DiscussionHome = {
  slug: SLUG,
  name: "Discussions des idées",
  read: async (db, lock) => {
    const query = db.selectFrom("idea_forum").select("group_id");
    return (await (lock ? query.forUpdate() : query).executeTakeFirst())?.group_id;
  },
  remember: async (db, groupId) => {
    await db.updateTable("idea_forum").set({ group_id: groupId }).execute();
  },
};

export const commentAccess = (
  db: Db,
  user: User | undefined,
): Promise<{ group: Group; access: GroupAccess } | undefined> => discussionAccess(db, HOME, user);

export async function comment(
  tx: Tx,
  deps: ForumDeps,
  input: { idea: Idea; user: User; source: string },
): Promise<Result<{ postId: string }, WriteError | "removed">> {
  const { idea, user } = input;
  if (idea.removed_reason !== null) return fail("removed");
  const posted = await postInDiscussion(
    tx,
    deps,
    HOME,
    {
      title: idea.title,
      topicId: async (t) =>
        (
          await t.db
            .selectFrom("ideas")
            .select("topic_id")
            .where("id", "=", idea.id)
            .forUpdate()
            .executeTakeFirstOrThrow()
        ).topic_id,
      setTopic: async (t, topicId) => {
        await t.db
          .updateTable("ideas")
          .set({ topic_id: topicId })
          .where("id", "=", idea.id)
          .execute();
      },
    },
    { user, source: input.source, inReplyToId: undefined },
  );
  if (!posted.ok) return posted;
  const { postId } = posted.value;
  if (idea.author_id && idea.author_id !== user.id)
    await notify(tx, deps.publicUrl, {
      userId: idea.author_id,
      kind: "ideas:commented",
      data: { name: user.displayName, title: idea.title, excerpt: excerpt(input.source, 140) },
      link: `/idees/${idea.id}#comments`,
    });
  return ok({ postId });
}

export async function listComments(db: Db, idea: Idea, user: User | undefined) {
  const topic = idea.topic_id ? await topics.findTopic(db, idea.topic_id) : undefined;
  if (!topic) return { topic: undefined, posts: [] };
  const page = await topics.readTopicPage(db, { topic, userId: user?.id, page: 1 });
  return { topic, posts: page.posts };
}
