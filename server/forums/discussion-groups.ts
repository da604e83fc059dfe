// A module whose objects are discussed in the forums (tutorials, ideas…) keeps every object's
// discussion as a topic of one group of its own, opened the first time someone comments. The
// module keeps that group's id in a one-row table; this opens the group and reads who may write.
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { ok, type Result } from "../lib/result.ts";
import { groupAccess, type GroupAccess } from "./access.ts";
import type { ForumDeps } from "./groups.service.ts";
import * as topics from "./topics.service.ts";
import type { WriteError } from "./topics.service.ts";
import * as groups from "./groups.repo.ts";
import type { Group } from "./groups.repo.ts";

export interface DiscussionHome {
  /** The group's slug (a number is added if another group took it) and its name. */
  slug: string;
  name: string;
  /** The group's id as the module keeps it; `lock` while the group may be opened. */
  read(db: Db, lock: boolean): Promise<string | null | undefined>;
  remember(db: Db, groupId: string): Promise<void>;
}

/** The module's discussion group, opened now if it is the first comment. */
export async function discussionGroupOf(tx: Tx, home: DiscussionHome): Promise<Group> {
  const id = await home.read(tx.db, true);
  const existing = id ? await groups.findGroup(tx.db, { id }) : undefined;
  if (existing) return existing;
  let slug = home.slug;
  for (let i = 2; await groups.slugTaken(tx.db, slug); i++) slug = `${home.slug}_${i}`;
  // Members only and not federated as a group: each object's own visibility decides who reads
  // its comments, on its page.
  const created = await groups.insertGroup(tx.db, {
    slug,
    name: home.name,
    descriptionSource: "",
    descriptionHtml: "",
    rulesSource: "",
    rulesHtml: "",
    visibility: "local",
    postPolicy: "members",
    joinPolicy: "open",
    createdBy: null,
  });
  await home.remember(tx.db, created);
  return (await groups.findGroup(tx.db, { id: created }))!;
}

/** The discussion group, if opened, and what `user` may do there. */
export async function discussionAccess(
  db: Db,
  home: DiscussionHome,
  user: User | undefined,
): Promise<{ group: Group; access: GroupAccess } | undefined> {
  const id = await home.read(db, false);
  const group = id ? await groups.findGroup(db, { id }) : undefined;
  return group && { group, access: await groupAccess(db, group, user) };
}

/** The object under discussion: its title, and the topic it keeps (read locked, then set). */
export interface Discussed {
  title: string;
  topicId(tx: Tx): Promise<string | null>;
  setTopic(tx: Tx, topicId: string): Promise<void>;
}

/** A comment on `object`: the first opens its topic in the discussion group, later ones reply. */
export async function postInDiscussion(
  tx: Tx,
  deps: ForumDeps,
  home: DiscussionHome,
  object: Discussed,
  input: { user: User; source: string; inReplyToId?: string | undefined },
): Promise<Result<{ postId: string }, WriteError>> {
  const { user, source } = input;
  const group = await discussionGroupOf(tx, home);
  const access = await groupAccess(tx.db, group, user);
  const current = await object.topicId(tx);
  const topic = current ? await topics.findTopic(tx.db, current) : undefined;
  if (topic) {
    const replied = await topics.reply(tx, deps, {
      group,
      access,
      user,
      source,
      topic,
      inReplyToId: input.inReplyToId,
    });
    return replied.ok ? ok({ postId: replied.value.postId }) : replied;
  }
  const created = await topics.createTopic(tx, deps, {
    group,
    access,
    user,
    source,
    title: object.title.slice(0, 150),
  });
  if (!created.ok) return created;
  await object.setTopic(tx, created.value.topicId);
  return ok({ postId: created.value.postId });
}
