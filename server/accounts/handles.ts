// Member usernames and local group slugs share one namespace: both are WebFinger handles
// (`@name@host`) of actors of this instance. Every place that gives out a name asks here.
import type { Db } from "../db/database.ts";
import { findUserByUsername } from "./accounts.repo.ts";

/** Names no member or group may take: local actors, and words that would mislead. */
export const RESERVED_USERNAMES = new Set([
  "cmcas",
  "ccas",
  "instance",
  "admin",
  "administrator",
  "root",
  "support",
  "maillage",
  "actor",
  "system",
  "moderation",
  "api",
  "www",
  "about",
  "groups",
  "offers",
]);

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
