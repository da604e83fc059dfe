import type { Db } from "../db/database.ts";

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function insertApiToken(
  db: Db,
  userId: string,
  name: string,
  hash: string,
): Promise<string> {
  const row = await db
    .insertInto("api_tokens")
    .values({ user_id: userId, name, token_hash: hash })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenInfo[]> {
  const rows = await db
    .selectFrom("api_tokens")
    .select(["id", "name", "created_at", "last_used_at"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }));
}

export async function revokeApiToken(db: Db, userId: string, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every token of a member, e.g. when their password changes. */
export async function revokeAllApiTokens(db: Db, userId: string): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();
}

export async function findApiTokenOwner(
  db: Db,
  hash: string,
): Promise<{ tokenId: string; userId: string; lastUsedAt: Date | null } | undefined> {
  const row = await db
    .selectFrom("api_tokens")
    .select(["id", "user_id", "last_used_at"])
    .where("token_hash", "=", hash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row ? { tokenId: row.id, userId: row.user_id, lastUsedAt: row.last_used_at } : undefined;
}

export async function touchApiToken(db: Db, tokenId: string): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ last_used_at: new Date() })
    .where("id", "=", tokenId)
    .execute();
}
