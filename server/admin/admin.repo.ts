import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Role } from "../accounts/accounts.tables.ts";

export interface UserRow {
  id: string;
  email: string;
  username: string;
  displayName: string;
  role: Role;
  confirmed: boolean;
  createdAt: Date;
}

export const PAGE_SIZE = 50;

export async function listUsers(
  db: Db,
  filter: { q?: string; role?: Role; page: number },
): Promise<{ rows: UserRow[]; total: number }> {
  let query = db.selectFrom("users");
  if (filter.q) {
    const like = `%${filter.q.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(email)`, "like", like),
        eb(sql`lower(username)`, "like", like),
        eb(sql`lower(display_name)`, "like", like),
      ]),
    );
  }
  if (filter.role) query = query.where("role", "=", filter.role);
  const [rows, total] = await Promise.all([
    query
      .select([
        "id",
        "email",
        "username",
        "display_name",
        "role",
        "email_confirmed_at",
        "created_at",
      ])
      .orderBy("created_at", "desc")
      .limit(PAGE_SIZE)
      .offset((filter.page - 1) * PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      email: r.email,
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      confirmed: r.email_confirmed_at !== null,
      createdAt: r.created_at,
    })),
    total: Number(total.n),
  };
}

export async function addSlvie(db: Db, name: string): Promise<boolean> {
  const result = await db
    .insertInto("slvies")
    .values({ name })
    .onConflict((oc) => oc.expression(sql`lower(name)`).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeSlvie(db: Db, id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return;
  await db.deleteFrom("slvies").where("id", "=", id).execute();
}

export async function failedJobs(db: Db): Promise<
  {
    id: number;
    type: string;
    attempts: number;
    lastError: string | null;
    finishedAt: Date | null;
  }[]
> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "type", "attempts", "last_error", "finished_at"])
    .where("status", "=", "failed")
    .orderBy("finished_at", "desc")
    .limit(50)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    attempts: r.attempts,
    lastError: r.last_error,
    finishedAt: r.finished_at,
  }));
}

export async function retryJob(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ status: "pending", attempts: 0, run_at: new Date(), finished_at: null })
    .where("id", "=", id)
    .where("status", "=", "failed")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
