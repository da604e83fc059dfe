// Member usernames and local group slugs share one namespace: both are WebFinger handles
// (`@name@host`) of actors of this instance. Every place that gives out a name asks here.
import type { Db } from "../db/database.ts";
import { findUserByUsername } from "./accounts.repo.ts";
import { RESERVED_USERNAMES } from "./accounts.service.ts";

export type HandleConflict = "reserved" | "taken";

export async function handleConflict(db: Db, name: string): Promise<HandleConflict | undefined> {
  const lower = name.toLowerCase();
  if (RESERVED_USERNAMES.has(lower)) return "reserved";
  if (await findUserByUsername(db, lower)) return "taken";
  const group = await db
    .selectFrom("forum_groups")
    .select("id")
    .where("slug", "=", lower)
    .where("host", "is", null)
    .executeTakeFirst();
  return group ? "taken" : undefined;
}
