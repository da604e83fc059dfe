import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { EmailCategory } from "./notifications.tables.ts";

export interface Notification {
  id: string;
  kind: string;
  data: Record<string, string | number>;
  link: string | null;
  createdAt: Date;
  read: boolean;
}

const columns = ["id", "kind", "data", "link", "created_at", "read_at"] as const;

function toNotification(r: {
  id: string;
  kind: string;
  data: Record<string, string | number>;
  link: string | null;
  created_at: Date;
  read_at: Date | null;
}): Notification {
  return {
    id: r.id,
    kind: r.kind,
    data: r.data,
    link: r.link,
    createdAt: r.created_at,
    read: r.read_at !== null,
  };
}

export async function insertNotification(
  db: Db,
  row: {
    userId: string;
    kind: string;
    data: Record<string, string | number>;
    link: string | null;
    emailCategory: EmailCategory | null;
    emailState: "pending" | "sent" | null;
  },
): Promise<string> {
  const inserted = await db
    .insertInto("notifications")
    .values({
      user_id: row.userId,
      kind: row.kind,
      data: JSON.stringify(row.data),
      link: row.link,
      email_category: row.emailCategory,
      email_state: row.emailState,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function listNotifications(
  db: Db,
  userId: string,
  limit: number,
  before?: Date,
): Promise<Notification[]> {
  let query = db.selectFrom("notifications").select(columns).where("user_id", "=", userId);
  if (before) query = query.where("created_at", "<", before);
  const rows = await query.orderBy("created_at", "desc").limit(limit).execute();
  return rows.map(toNotification);
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markRead(db: Db, userId: string, ids?: string[]): Promise<number> {
  let query = db
    .updateTable("notifications")
    .set({ read_at: new Date() })
    .where("user_id", "=", userId)
    .where("read_at", "is", null);
  if (ids) {
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (valid.length === 0) return 0;
    query = query.where("id", "in", valid);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findNotification(
  db: Db,
  userId: string,
  id: string,
): Promise<Notification | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db
    .selectFrom("notifications")
    .select(columns)
    .where("user_id", "=", userId)
    .where("id", "=", id)
    .executeTakeFirst();
  return r ? toNotification(r) : undefined;
}

/** Takes the pending digest entries of one member and marks them sent, in one statement. */
export async function takeDigest(db: Db, userId: string): Promise<Notification[]> {
  const rows = await db
    .updateTable("notifications")
    .set({ email_state: "sent" })
    .where("user_id", "=", userId)
    .where("email_state", "=", "pending")
    .returning(columns)
    .execute();
  return rows.map(toNotification).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

export async function usersWithPendingDigest(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("notifications")
    .select("user_id")
    .distinct()
    .where("email_state", "=", "pending")
    .execute();
  return rows.map((r) => r.user_id);
}

/** Claims a periodic task when it is due and moves its next run; true if this caller won. */
export async function claimSchedule(db: Db, name: string, everySeconds: number): Promise<boolean> {
  await db
    .insertInto("schedules")
    .values({ name, next_run_at: new Date() })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const claimed = await db
    .updateTable("schedules")
    .set({ next_run_at: sql<Date>`now() + make_interval(secs => ${everySeconds})` })
    .where("name", "=", name)
    .where("next_run_at", "<=", sql<Date>`now()`)
    .returning("name")
    .executeTakeFirst();
  return claimed !== undefined;
}
