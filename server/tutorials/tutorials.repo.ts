// Reading tutorials: one with its steps and images, and the lists of the library (newest, most
// made, most useful, by category, by author, French full-text search).
import { sql } from "kysely";
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import type {
  Difficulty,
  Licence,
  TutorialStatus,
  TutorialVisibility,
} from "./tutorials.tables.ts";
import "./tutorials.tables.ts";

export const isUuid = (value: unknown): value is string =>
  typeof value === "string" &&
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

export interface Category {
  id: string;
  slug: string;
  nameFr: string;
  nameEn: string;
  position: number;
  archived: boolean;
}

export async function listCategories(db: Db, withArchived = false): Promise<Category[]> {
  let query = db.selectFrom("tutorial_categories").selectAll();
  if (!withArchived) query = query.where("archived_at", "is", null);
  const rows = await query.orderBy("position").orderBy("name_fr").execute();
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    nameFr: r.name_fr,
    nameEn: r.name_en,
    position: r.position,
    archived: r.archived_at !== null,
  }));
}

export interface Tutorial {
  id: string;
  title: string;
  summary: string;
  categoryId: string;
  categorySlug: string;
  categoryFr: string;
  categoryEn: string;
  tags: string[];
  difficulty: Difficulty;
  durationMinutes: number | null;
  costCents: number | null;
  materials: string;
  tools: string;
  licence: Licence;
  status: TutorialStatus;
  visibility: TutorialVisibility;
  authorId: string | null;
  authorName: string | null;
  authorUsername: string | null;
  coverImageId: string | null;
  removalReason: string | null;
  viewCount: number;
  madeCount: number;
  usefulCount: number;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  offerId: string | null;
  /** Received from a followed CMCAS: its Article's id, its page there and its territory. */
  remoteUri: string | null;
  remoteUrl: string | null;
  territory: string | null;
  /** A remote tutorial's cover, as our copy's path (`/media/<key>`). */
  remoteCover: string | null;
}

function base(db: Db) {
  return db
    .selectFrom("tutorials as t")
    .innerJoin("tutorial_categories as c", "c.id", "t.category_id")
    .leftJoin("users as u", "u.id", "t.author_id")
    .select([
      "t.id",
      "t.title",
      "t.summary",
      "t.category_id",
      "c.slug",
      "c.name_fr",
      "c.name_en",
      "t.tags",
      "t.difficulty",
      "t.duration_minutes",
      "t.cost_cents",
      "t.materials",
      "t.tools",
      "t.licence",
      "t.status",
      "t.visibility",
      "t.author_id",
      "u.display_name",
      "u.username",
      "t.cover_image_id",
      "t.removal_reason",
      "t.view_count",
      "t.made_count",
      "t.useful_count",
      "t.created_at",
      "t.updated_at",
      "t.published_at",
      "t.offer_id",
      "t.remote_uri",
      "t.remote_url",
      "t.territory",
      // A remote tutorial's cover: our copy of it, when one was asked for (ADR 0119).
      sql<string | null>`(select e->>'media' from jsonb_array_elements(t.remote_images) e
        where e->>'cover' = 'true' limit 1)`.as("remote_cover"),
    ]);
}
type Row = Awaited<ReturnType<ReturnType<typeof base>["executeTakeFirstOrThrow"]>>;

function toTutorial(r: Row): Tutorial {
  return {
    id: r.id,
    title: r.title,
    summary: r.summary,
    categoryId: r.category_id,
    categorySlug: r.slug,
    categoryFr: r.name_fr,
    categoryEn: r.name_en,
    tags: r.tags,
    difficulty: r.difficulty,
    durationMinutes: r.duration_minutes,
    costCents: r.cost_cents,
    materials: r.materials,
    tools: r.tools,
    licence: r.licence,
    status: r.status,
    visibility: r.visibility,
    authorId: r.author_id,
    authorName: r.display_name,
    authorUsername: r.username,
    coverImageId: r.cover_image_id,
    remoteCover:
      r.remote_cover && /^\/media\/[0-9a-f]{64}$/.test(r.remote_cover) ? r.remote_cover : null,
    removalReason: r.removal_reason,
    viewCount: r.view_count,
    madeCount: r.made_count,
    usefulCount: r.useful_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
    offerId: r.offer_id,
    remoteUri: r.remote_uri,
    remoteUrl: r.remote_url,
    territory: r.territory,
  };
}

export async function findTutorial(db: Db, id: string): Promise<Tutorial | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await base(db).where("t.id", "=", id).executeTakeFirst();
  return row && toTutorial(row);
}

export async function coauthorIds(db: Db, tutorialId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("tutorial_coauthors")
    .select("user_id")
    .where("tutorial_id", "=", tutorialId)
    .execute();
  return rows.map((r) => r.user_id);
}

export async function listCoauthors(db: Db, tutorialId: string) {
  return db
    .selectFrom("tutorial_coauthors as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["u.id", "u.username", "u.display_name as displayName"])
    .where("a.tutorial_id", "=", tutorialId)
    .orderBy("a.created_at")
    .execute();
}

export const isStaff = (user: User | undefined) =>
  user !== undefined && STAFF_ROLES.includes(user.role);

/** Author, co-author or staff (staff keep the instance's own guide up to date). */
export async function mayEdit(db: Db, tutorial: Tutorial, user: User | undefined) {
  if (!user) return false;
  if (isStaff(user) || tutorial.authorId === user.id) return true;
  return (await coauthorIds(db, tutorial.id)).includes(user.id);
}

/** Published: public ones to anyone, network and local ones to signed-in members. Drafts and
 * removed ones only to those who may edit them. */
export async function mayRead(db: Db, tutorial: Tutorial, user: User | undefined) {
  if (tutorial.status !== "published") return mayEdit(db, tutorial, user);
  return tutorial.visibility === "public" || user !== undefined;
}

export interface Step {
  id: string;
  position: number;
  title: string;
  source: string;
  contentHtml: string;
  textPlain: string;
  videoUrl: string | null;
}

export async function listSteps(db: Db, tutorialId: string): Promise<Step[]> {
  const rows = await db
    .selectFrom("tutorial_steps")
    .selectAll()
    .where("tutorial_id", "=", tutorialId)
    .orderBy("position")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    position: r.position,
    title: r.title,
    source: r.source,
    contentHtml: r.content_html,
    textPlain: r.text_plain,
    videoUrl: r.video_url,
  }));
}

export interface ImageRef {
  id: string;
  stepId: string | null;
  alt: string;
}

/** Images of the tutorial itself (cover, steps); made-it photos are listed with their posts. */

export async function listImages(db: Db, tutorialId: string): Promise<ImageRef[]> {
  const rows = await db
    .selectFrom("tutorial_images")
    .select(["id", "step_id", "alt"])
    .where("tutorial_id", "=", tutorialId)
    .where("made_id", "is", null)
    .orderBy("position")
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({ id: r.id, stepId: r.step_id, alt: r.alt }));
}

export type Order = "newest" | "made" | "useful" | "relevance";

export interface ListFilter {
  q?: string | undefined;
  category?: string | undefined;
  difficulty?: Difficulty | undefined;
  /** Tutorials received from that territory (a followed CMCAS's name), or ours only (`local`). */
  territory?: string | { local: true } | undefined;
  /** Those whose time needed is known and at most this many minutes. */
  maxMinutes?: number | undefined;
  /** Those whose cost is known and at most this many cents (0: free ones). */
  maxCostCents?: number | undefined;
  authorId?: string | undefined;
  offerId?: string | undefined;
  ids?: string[] | undefined;
  order?: Order;
  limit?: number;
  offset?: number;
}

type Query = ReturnType<typeof base>;

const tsQuery = (q: string) =>
  sql`maillage_fold_plurals(websearch_to_tsquery('maillage_fr', ${q}))`;

/** Published tutorials the viewer may read, filtered and ordered. */
export async function listTutorials(
  db: Db,
  viewer: User | undefined,
  filter: ListFilter,
): Promise<{ items: Tutorial[]; total: number }> {
  const narrow = (query: Query): Query => {
    let q = query.where("t.status", "=", "published");
    if (!viewer) q = q.where("t.visibility", "=", "public");
    if (filter.category) q = q.where("c.slug", "=", filter.category);
    if (filter.difficulty) q = q.where("t.difficulty", "=", filter.difficulty);
    if (typeof filter.territory === "string") q = q.where("t.territory", "=", filter.territory);
    else if (filter.territory?.local) q = q.where("t.remote_uri", "is", null);
    if (filter.maxMinutes !== undefined) q = q.where("t.duration_minutes", "<=", filter.maxMinutes);
    if (filter.maxCostCents !== undefined) q = q.where("t.cost_cents", "<=", filter.maxCostCents);
    if (filter.authorId)
      q = q.where((eb) =>
        eb.or([
          eb("t.author_id", "=", filter.authorId!),
          eb(
            "t.id",
            "in",
            eb
              .selectFrom("tutorial_coauthors")
              .select("tutorial_id")
              .where("user_id", "=", filter.authorId!),
          ),
        ]),
      );
    if (filter.offerId) q = q.where("t.offer_id", "=", filter.offerId);
    // No id matches an empty list ("" is not a uuid: PostgreSQL would refuse the query).
    if (filter.ids)
      q = filter.ids.length ? q.where("t.id", "in", filter.ids) : q.where(sql.lit(false));
    if (filter.q) q = q.where(sql<boolean>`t.search @@ ${tsQuery(filter.q)}`);
    return q;
  };
  let query = narrow(base(db));
  const order = filter.order ?? (filter.q ? "relevance" : "newest");
  if (order === "made") query = query.orderBy("t.made_count", "desc");
  if (order === "useful") query = query.orderBy("t.useful_count", "desc");
  if (order === "relevance" && filter.q)
    query = query.orderBy(sql`ts_rank(t.search, ${tsQuery(filter.q)})`, "desc");
  const rows = await query
    .orderBy("t.published_at", "desc")
    .orderBy("t.id")
    .limit(filter.limit ?? 12)
    .offset(filter.offset ?? 0)
    .execute();
  const count = await narrow(base(db))
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return { items: rows.map(toTutorial), total: Number(count.n) };
}

/** Tutorials an author writes or co-writes, drafts included (their own page). */
export async function listOwn(db: Db, userId: string): Promise<Tutorial[]> {
  const rows = await base(db)
    .where((eb) =>
      eb.or([
        eb("t.author_id", "=", userId),
        eb(
          "t.id",
          "in",
          eb.selectFrom("tutorial_coauthors").select("tutorial_id").where("user_id", "=", userId),
        ),
      ]),
    )
    .orderBy("t.updated_at", "desc")
    .limit(100)
    .execute();
  return rows.map(toTutorial);
}

/** What a tutorial received from a followed CMCAS carries beyond the common fields (ADR 0117). */
export async function findRemoteDetails(db: Db, id: string) {
  const row = await db
    .selectFrom("tutorials")
    .select(["remote_content_html", "remote_images", "remote_author_name", "remote_author_url"])
    .where("id", "=", id)
    .where("remote_uri", "is not", null)
    .executeTakeFirst();
  return (
    row && {
      contentHtml: row.remote_content_html ?? "",
      images: row.remote_images,
      authorName: row.remote_author_name,
      authorUrl: row.remote_author_url,
    }
  );
}

/** The territories the library holds tutorials from (followed CMCAS), for the search form. */
export async function listTerritories(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("tutorials")
    .select("territory")
    .distinct()
    .where("territory", "is not", null)
    .where("status", "=", "published")
    .orderBy("territory")
    .execute();
  return rows.map((r) => r.territory!);
}
