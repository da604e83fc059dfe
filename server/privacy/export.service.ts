// "Download my data": a job gathers what the instance holds about a member, section by section
// (its progress is the section reached), into one ZIP archive: data.json and the files they
// uploaded. The archive is kept in the database (web and worker processes may not share a disk)
// and can be downloaded for 24 hours by its owner only.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { zip, type ZipEntry } from "./zip.ts";

export const EXPORT_TTL_MS = 24 * 3600_000;

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};

type Section = (db: Db, userId: string, files: ZipEntry[]) => Promise<unknown>;

/** Each section is a key of data.json; the order is the progress shown. */
const SECTIONS: [string, Section][] = [
  [
    "account",
    (db, id) =>
      db
        .selectFrom("users")
        .select([
          "id",
          "email",
          "email_confirmed_at",
          "username",
          "display_name",
          "role",
          "language",
          "notification_prefs",
          "discoverable",
          "created_at",
          "updated_at",
        ])
        .where("id", "=", id)
        .executeTakeFirst(),
  ],
  [
    "memberRecord",
    (db, id) =>
      db
        .selectFrom("member_records")
        .select(["member_number", "last_name", "first_name", "email", "birth_year", "household"])
        .where("user_id", "=", id)
        .executeTakeFirst()
        .then((r) => r ?? null),
  ],
  [
    // Bio and avatar (ADR 0102): the picture as kept, in its larger size.
    "memberProfile",
    async (db, id, files) => {
      const bio = await db
        .selectFrom("member_bios")
        .select(["bio", "updated_at"])
        .where("user_id", "=", id)
        .executeTakeFirst();
      const avatar = await db
        .selectFrom("member_avatars")
        .select(["data", "created_at"])
        .where("user_id", "=", id)
        .where("size", "=", "large")
        .executeTakeFirst();
      if (avatar)
        files.push({
          name: "files/avatar.webp",
          data: Buffer.from(avatar.data),
          date: avatar.created_at,
        });
      return { bio: bio?.bio ?? null, avatar: avatar ? "files/avatar.webp" : null };
    },
  ],
  [
    "familyMembers",
    (db, id) =>
      db
        .selectFrom("family_members")
        .select(["first_name", "relation", "birth_year", "created_at"])
        .where("user_id", "=", id)
        .execute(),
  ],
  [
    "registrations",
    async (db, id) => {
      const rows = await db
        .selectFrom("offer_registrations as r")
        .innerJoin("offers as o", "o.id", "r.offer_id")
        .select([
          "r.id",
          "o.title as offer",
          "o.starts_at",
          "r.persons",
          "r.status",
          "r.created_at",
          "r.cancelled_at",
        ])
        .where("r.user_id", "=", id)
        .orderBy("r.created_at")
        .execute();
      const persons = rows.length
        ? await db
            .selectFrom("offer_registration_persons")
            .select(["registration_id", "is_member", "first_name", "birth_year"])
            .where(
              "registration_id",
              "in",
              rows.map((r) => r.id),
            )
            .execute()
        : [];
      return rows.map((r) => ({
        ...r,
        people: persons
          .filter((p) => p.registration_id === r.id)
          .map(({ registration_id: _, ...p }) => p),
      }));
    },
  ],
  [
    "reviews",
    (db, id) =>
      db
        .selectFrom("offer_reviews as v")
        .innerJoin("offers as o", "o.id", "v.offer_id")
        .select(["o.title as offer", "v.rating", "v.comment", "v.created_at"])
        .where("v.user_id", "=", id)
        .execute(),
  ],
  [
    "forumPosts",
    async (db, id, files) => {
      const posts = await db
        .selectFrom("forum_posts as p")
        .innerJoin("forum_topics as t", "t.id", "p.topic_id")
        .select([
          "p.id",
          "t.title as topic",
          "p.source",
          "p.text_plain",
          "p.created_at",
          "p.edited_at",
        ])
        .where("p.author_id", "=", id)
        .orderBy("p.created_at")
        .execute();
      if (posts.length > 0) {
        const attachments = await db
          .selectFrom("forum_attachments")
          .select(["id", "post_id", "content_type", "data", "description", "created_at"])
          .where(
            "post_id",
            "in",
            posts.map((p) => p.id),
          )
          .where("data", "is not", null)
          .execute();
        for (const a of attachments) {
          files.push({
            name: `files/forum/${a.post_id}/${a.id}.${EXTENSIONS[a.content_type] ?? "bin"}`,
            data: Buffer.from(a.data!),
            date: a.created_at,
          });
        }
      }
      return posts;
    },
  ],
  [
    "notifications",
    (db, id) =>
      db
        .selectFrom("notifications")
        .select(["kind", "data", "link", "created_at", "read_at"])
        .where("user_id", "=", id)
        .orderBy("created_at")
        .execute(),
  ],
  [
    "apiTokens",
    (db, id) =>
      db
        .selectFrom("api_tokens")
        .select(["name", "created_at", "last_used_at", "revoked_at"])
        .where("user_id", "=", id)
        .execute(),
  ],
];

export const EXPORT_STEPS = SECTIONS.length + 1;

export async function requestExport(db: Db, userId: string): Promise<string> {
  const row = await db
    .insertInto("data_exports")
    .values({
      user_id: userId,
      steps: EXPORT_STEPS,
      expires_at: new Date(Date.now() + EXPORT_TTL_MS),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function buildExport(db: Db, exportId: string, signal: AbortSignal): Promise<void> {
  const job = await db
    .selectFrom("data_exports")
    .select(["user_id", "status"])
    .where("id", "=", exportId)
    .executeTakeFirst();
  if (!job || job.status === "done") return;
  const files: ZipEntry[] = [];
  const data: Record<string, unknown> = { exportedAt: new Date().toISOString() };
  let step = 0;
  for (const [key, section] of SECTIONS) {
    signal.throwIfAborted();
    data[key] = await section(db, job.user_id, files);
    step++;
    await db
      .updateTable("data_exports")
      .set({ status: "running", step })
      .where("id", "=", exportId)
      .execute();
  }
  const archive = zip([
    { name: "data.json", data: Buffer.from(JSON.stringify(data, null, 2)) },
    ...files,
  ]);
  await db
    .updateTable("data_exports")
    .set({
      status: "done",
      step: step + 1,
      archive,
      size: archive.length,
      finished_at: new Date(),
      // The 24 hours start when the archive is ready.
      expires_at: new Date(Date.now() + EXPORT_TTL_MS),
    })
    .where("id", "=", exportId)
    .execute();
}

/** Removes archives past their 24 hours. */
export async function pruneExports(db: Db): Promise<number> {
  const result = await db
    .deleteFrom("data_exports")
    .where("expires_at", "<", sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
