import type { Db } from "../db/database.ts";

export interface Invitation {
  id: string;
  email: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export async function insertInvitation(
  db: Db,
  invitation: { hash: string; email: string | null; createdBy: string; expiresAt: Date },
): Promise<string> {
  const row = await db
    .insertInto("invitations")
    .values({
      token_hash: invitation.hash,
      email: invitation.email,
      created_by: invitation.createdBy,
      expires_at: invitation.expiresAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listInvitations(db: Db): Promise<Invitation[]> {
  const rows = await db
    .selectFrom("invitations")
    .select(["id", "email", "created_at", "expires_at", "used_at"])
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
  }));
}

export async function findUsableInvitation(db: Db, hash: string): Promise<Invitation | undefined> {
  const row = await db
    .selectFrom("invitations")
    .select(["id", "email", "created_at", "expires_at", "used_at"])
    .where("token_hash", "=", hash)
    .where("used_at", "is", null)
    .where("expires_at", ">", new Date())
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        email: row.email,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
      }
    : undefined;
}

/** Uses an invitation once: false when another sign-up took it first. */
export async function useInvitation(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await db
    .updateTable("invitations")
    .set({ used_at: new Date(), used_by: userId })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
