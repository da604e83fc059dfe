import { sql, type ExpressionBuilder, type Expression, type SqlBool } from "kysely";
import type { Db } from "../db/database.ts";
import type { Database } from "../db/schema.ts";
import type { User } from "../accounts/accounts.repo.ts";
import type { JoinPolicy, MembershipState, PostPolicy, Visibility } from "./forums.tables.ts";

export interface Group {
  id: string;
  slug: string;
  host: string | null;
  apId: string | null;
  name: string;
  descriptionSource: string;
  descriptionHtml: string;
  rulesSource: string;
  rulesHtml: string;
  visibility: Visibility;
  postPolicy: PostPolicy;
  joinPolicy: JoinPolicy;
  offerId: string | null;
  topicCount: number;
  memberCount: number;
  lastActivityAt: Date;
  createdAt: Date;
}

export const groupColumns = [
  "g.id",
  "g.slug",
  "g.host",
  "g.ap_id",
  "g.name",
  "g.description_source",
  "g.description_html",
  "g.rules_source",
  "g.rules_html",
  "g.visibility",
  "g.post_policy",
  "g.join_policy",
  "g.offer_id",
  "g.topic_count",
  "g.member_count",
  "g.last_activity_at",
  "g.created_at",
] as const;

export type GroupRow = {
  id: string;
  slug: string;
  host: string | null;
  ap_id: string | null;
  name: string;
  description_source: string;
  description_html: string;
  rules_source: string;
  rules_html: string;
  visibility: Visibility;
  post_policy: PostPolicy;
  join_policy: JoinPolicy;
  offer_id: string | null;
  topic_count: number;
  member_count: number;
  last_activity_at: Date;
  created_at: Date;
};

export function toGroup(r: GroupRow): Group {
  return {
    id: r.id,
    slug: r.slug,
    host: r.host,
    apId: r.ap_id,
    name: r.name,
    descriptionSource: r.description_source,
    descriptionHtml: r.description_html,
    rulesSource: r.rules_source,
    rulesHtml: r.rules_html,
    visibility: r.visibility,
    postPolicy: r.post_policy,
    joinPolicy: r.join_policy,
    offerId: r.offer_id,
    topicCount: r.topic_count,
    memberCount: r.member_count,
    lastActivityAt: r.last_activity_at,
    createdAt: r.created_at,
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isInstanceModerator = (user: User | undefined) =>
  user?.role === "moderator" || user?.role === "admin";

/**
 * The groups a viewer may read, as a filter on the alias `g`: public ones for everybody, network
 * and local ones for signed-in members, private ones for their members. Instance moderators and
 * admins read every group, to handle reports.
 */
export function readableBy(user: User | undefined) {
  return (eb: ExpressionBuilder<Database & { g: Database["forum_groups"] }, "g">) => {
    if (!user) return eb("g.visibility", "=", "public");
    if (isInstanceModerator(user)) return eb.val(true) as unknown as Expression<SqlBool>;
    return eb.or([
      eb("g.visibility", "<>", "private"),
      eb.exists(
        eb
          .selectFrom("forum_memberships as vm")
          .select("vm.id")
          .whereRef("vm.group_id", "=", "g.id")
          .where("vm.user_id", "=", user.id)
          .where("vm.state", "=", "active"),
      ),
    ]);
  };
}

export interface NewGroup {
  slug: string;
  name: string;
  descriptionSource: string;
  descriptionHtml: string;
  rulesSource: string;
  rulesHtml: string;
  visibility: Visibility;
  postPolicy: PostPolicy;
  joinPolicy: JoinPolicy;
  offerId?: string | null;
  createdBy: string | null;
}

export async function insertGroup(db: Db, group: NewGroup): Promise<string> {
  const row = await db
    .insertInto("forum_groups")
    .values({
      slug: group.slug,
      name: group.name,
      description_source: group.descriptionSource,
      description_html: group.descriptionHtml,
      rules_source: group.rulesSource,
      rules_html: group.rulesHtml,
      visibility: group.visibility,
      post_policy: group.postPolicy,
      join_policy: group.joinPolicy,
      offer_id: group.offerId ?? null,
      created_by: group.createdBy,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateGroup(
  db: Db,
  id: string,
  changes: Omit<NewGroup, "slug" | "createdBy" | "offerId">,
): Promise<void> {
  await db
    .updateTable("forum_groups")
    .set({
      name: changes.name,
      description_source: changes.descriptionSource,
      description_html: changes.descriptionHtml,
      rules_source: changes.rulesSource,
      rules_html: changes.rulesHtml,
      visibility: changes.visibility,
      post_policy: changes.postPolicy,
      join_policy: changes.joinPolicy,
      updated_at: new Date(),
    })
    .where("id", "=", id)
    .execute();
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const row = await db
    .selectFrom("forum_groups")
    .select("id")
    .where("slug", "=", slug)
    .where("host", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findGroup(
  db: Db,
  by: { id: string } | { slug: string } | { offerId: string },
): Promise<Group | undefined> {
  let query = db.selectFrom("forum_groups as g").select(groupColumns);
  if ("id" in by) {
    if (!UUID.test(by.id)) return undefined;
    query = query.where("g.id", "=", by.id);
  } else if ("slug" in by) {
    // A remote group's slug is its handle, `name@host`.
    const slug = by.slug.toLowerCase().replace(/^@/, "");
    query = query.where("g.slug", "=", slug);
    query = slug.includes("@")
      ? query.where("g.host", "is not", null)
      : query.where("g.host", "is", null);
  } else {
    if (!UUID.test(by.offerId)) return undefined;
    query = query.where("g.offer_id", "=", by.offerId);
  }
  const row = await query.executeTakeFirst();
  return row ? toGroup(row) : undefined;
}

export interface GroupListItem extends Group {
  membership: MembershipState | null;
  unreadTopics: number;
}

export async function listGroups(
  db: Db,
  user: User | undefined,
  options: { limit: number; offset: number; mine?: boolean },
): Promise<{ items: GroupListItem[]; total: number }> {
  let base = db.selectFrom("forum_groups as g").where(readableBy(user));
  if (options.mine && user) {
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom("forum_memberships as mm")
          .select("mm.id")
          .whereRef("mm.group_id", "=", "g.id")
          .where("mm.user_id", "=", user.id),
      ),
    );
  }
  const total = await base
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const userId = user?.id ?? "00000000-0000-0000-0000-000000000000";
  const rows = await base
    .leftJoin("forum_memberships as m", (join) =>
      join.onRef("m.group_id", "=", "g.id").on("m.user_id", "=", userId),
    )
    .select(groupColumns)
    .select("m.state as membership")
    .select((eb) =>
      eb
        .selectFrom("forum_topics as t")
        .leftJoin("forum_reads as r", (join) =>
          join.onRef("r.topic_id", "=", "t.id").on("r.user_id", "=", userId),
        )
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("t.group_id", "=", "g.id")
        .where("t.removed_at", "is", null)
        .where(sql<boolean>`t.post_count > coalesce(r.last_read_position, 0)`)
        .where(sql<boolean>`t.last_post_at > m.created_at`)
        .as("unread_topics"),
    )
    .orderBy("g.last_activity_at", "desc")
    .orderBy("g.name")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      ...toGroup(r),
      membership: r.membership,
      unreadTopics: r.membership === "active" ? Number(r.unread_topics ?? 0) : 0,
    })),
  };
}

export async function groupsModeratedBy(db: Db, user: User): Promise<Group[]> {
  let query = db.selectFrom("forum_groups as g").select(groupColumns).where("g.host", "is", null);
  if (!isInstanceModerator(user)) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("forum_memberships as m")
          .select("m.id")
          .whereRef("m.group_id", "=", "g.id")
          .where("m.user_id", "=", user.id)
          .where("m.role", "=", "moderator")
          .where("m.state", "=", "active"),
      ),
    );
  }
  return (await query.orderBy("g.name").limit(500).execute()).map(toGroup);
}

/** The group's last activity now, and its topic count moved by `topicDelta`. */
export function touchGroupQuery(db: Db, groupId: string, topicDelta = 0) {
  return db
    .updateTable("forum_groups")
    .set((eb) => ({
      last_activity_at: new Date(),
      topic_count: eb("topic_count", "+", topicDelta),
    }))
    .where("id", "=", groupId);
}

export async function touchGroup(db: Db, groupId: string, topicDelta = 0): Promise<void> {
  await touchGroupQuery(db, groupId, topicDelta).execute();
}
