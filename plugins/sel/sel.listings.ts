// Services offered and wanted, in categories. No prices: what is exchanged is time.
import { closeOwnListing, removalSetter } from "../../server/moderation/listing-rows.ts";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import { isUuid } from "../../server/offers/offers.repo.ts";
import type { SelKind } from "./sel.tables.ts";
import "./sel.tables.ts";

export const CATEGORIES = [
  "childcare",
  "lessons",
  "diy",
  "gardening",
  "computing",
  "cooking",
  "mobility",
  "other",
] as const;
export const KINDS: readonly SelKind[] = ["offer", "want"];

export interface ListingInput {
  kind: SelKind;
  category: string;
  title: string;
  description: string;
}

export type ListingError = "kind" | "category" | "title" | "description";

export function checkListing(body: Record<string, unknown>): Result<ListingInput, ListingError> {
  const kind = body.kind;
  const category = body.category;
  const title = typeof body.title === "string" ? body.title.trim() : "";
  const description = typeof body.description === "string" ? body.description.trim() : "";
  if (kind !== "offer" && kind !== "want") return fail("kind");
  if (typeof category !== "string" || !(CATEGORIES as readonly string[]).includes(category))
    return fail("category");
  if (title.length < 3 || title.length > 120) return fail("title");
  if (description.length > 2000) return fail("description");
  return ok({ kind, category, title, description });
}

export async function createListing(db: Db, userId: string, input: ListingInput) {
  return db
    .insertInto("sel_listings")
    .values({ user_id: userId, ...input })
    .returning("id")
    .executeTakeFirstOrThrow();
}

export async function findListing(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("sel_listings as l")
    .leftJoin("users as u", "u.id", "l.user_id")
    .selectAll("l")
    .select("u.display_name as author")
    .where("l.id", "=", id)
    .executeTakeFirst();
}
export type Listing = NonNullable<Awaited<ReturnType<typeof findListing>>>;

/** Open listings nobody removed, newest first, maybe of one kind and one category. */
export async function listListings(
  db: Db,
  filter: { kind?: SelKind | undefined; category?: string | undefined; limit?: number },
) {
  let query = db
    .selectFrom("sel_listings as l")
    .innerJoin("users as u", "u.id", "l.user_id")
    .select([
      "l.id",
      "l.kind",
      "l.category",
      "l.title",
      "l.description",
      "l.created_at",
      "u.display_name as author",
    ])
    .where("l.status", "=", "open")
    .where("l.removed_reason", "is", null);
  if (filter.kind) query = query.where("l.kind", "=", filter.kind);
  if (filter.category) query = query.where("l.category", "=", filter.category);
  return query
    .orderBy("l.created_at", "desc")
    .limit(filter.limit ?? 100)
    .execute();
}

export async function myListings(db: Db, userId: string) {
  return db
    .selectFrom("sel_listings")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .execute();
}

export const closeListing = (db: Db, id: string, userId: string) =>
  closeOwnListing(db, "sel_listings", id, userId);

export const setRemoved = removalSetter("sel_listings");

/** A member's account goes: their listings close, the exchanges they had not settled too. */
export async function closeForAccount(tx: Tx, userId: string): Promise<void> {
  await tx.db
    .updateTable("sel_listings")
    .set({ status: "closed" })
    .where("user_id", "=", userId)
    .execute();
  await tx.db
    .updateTable("sel_exchanges")
    .set({ status: "cancelled", decided_at: new Date() })
    .where("status", "=", "proposed")
    .where((eb) => eb.or([eb("provider_id", "=", userId), eb("receiver_id", "=", userId)]))
    .execute();
}
