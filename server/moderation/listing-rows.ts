// The writes every plugin makes the same way on its own listings table: the author closes a
// listing, a moderator hides or shows it again. The plugins declare their tables themselves
// (module augmentation), so this file sees them only through the columns they all share.
import type { Kysely } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { isUuid } from "../offers/offers.repo.ts";

interface ListingRow {
  id: string;
  user_id: string | null;
  status: string;
  removed_reason: string | null;
}
type Listings = Kysely<Record<string, ListingRow>>;

/** The author closes one of their listings; someone else's, or an unknown id, is not found. */
export async function closeOwnListing(
  db: Db,
  table: string,
  id: string,
  userId: string,
): Promise<Result<void, "not_found">> {
  if (!isUuid(id)) return fail("not_found");
  const done = await (db as unknown as Listings)
    .updateTable(table)
    .set({ status: "closed" })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0 ? ok(undefined) : fail("not_found");
}

/** Hides the listing with the reason shown to its author, or shows it again (null). */
export function removalSetter(table: string) {
  return async (tx: Tx, id: string, reason: string | null): Promise<void> => {
    await (tx.db as unknown as Listings)
      .updateTable(table)
      .set({ removed_reason: reason })
      .where("id", "=", id)
      .execute();
  };
}
