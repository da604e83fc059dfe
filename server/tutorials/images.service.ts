// Tutorial images go through the offers' pipeline (ADR 0086): recognised by their bytes,
// re-encoded without metadata, kept in card, page and federation sizes; only these are served.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { IMAGE_SIZES, prepareImage, type ImageSize } from "../offers/images.service.ts";
import { isUuid } from "./tutorials.repo.ts";
import { MAX_STEP_IMAGES } from "./tutorials.service.ts";

export { IMAGE_SIZES, type ImageSize };

export type TutorialImageError = "type" | "unreadable" | "too_many" | "alt" | "not_found";

/** Adds an image to a step (at most six) or as the cover (replacing the previous one). */
export async function addTutorialImage(
  db: Db,
  input: { tutorialId: string; stepId: string | null; madeId?: string; data: Buffer; alt: string },
): Promise<Result<string, TutorialImageError>> {
  const alt = input.alt.trim().slice(0, 300);
  if (alt.length === 0) return fail("alt");
  if (input.stepId !== null) {
    if (!isUuid(input.stepId)) return fail("not_found");
    const step = await db
      .selectFrom("tutorial_steps")
      .select("id")
      .where("id", "=", input.stepId)
      .where("tutorial_id", "=", input.tutorialId)
      .executeTakeFirst();
    if (!step) return fail("not_found");
    const count = await db
      .selectFrom("tutorial_images")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("step_id", "=", input.stepId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_STEP_IMAGES) return fail("too_many");
  }
  const prepared = await prepareImage(input.data);
  if (!prepared.ok) return fail(prepared.error);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("tutorial_images")
      .values({
        tutorial_id: input.tutorialId,
        step_id: input.stepId,
        made_id: input.madeId ?? null,
        alt,
        data: prepared.value.original.data,
        content_type: prepared.value.original.contentType,
        position: sql<number>`(select coalesce(max(position), 0) + 1 from tutorial_images where tutorial_id = ${input.tutorialId})`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("tutorial_image_variants")
      .values(
        prepared.value.variants.map((v) => ({
          image_id: row.id,
          size: v.size,
          content_type: v.contentType,
          width: v.width,
          height: v.height,
          data: v.data,
        })),
      )
      .execute();
    if (input.stepId === null && input.madeId === undefined) {
      const old = await trx
        .selectFrom("tutorials")
        .select("cover_image_id")
        .where("id", "=", input.tutorialId)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("tutorials")
        .set({ cover_image_id: row.id, updated_at: new Date() })
        .where("id", "=", input.tutorialId)
        .execute();
      if (old.cover_image_id)
        await trx.deleteFrom("tutorial_images").where("id", "=", old.cover_image_id).execute();
    }
    return ok(row.id);
  });
}

export async function deleteTutorialImage(
  db: Db,
  tutorialId: string,
  imageId: string,
): Promise<boolean> {
  if (!isUuid(imageId)) return false;
  const gone = await db
    .deleteFrom("tutorial_images")
    .where("id", "=", imageId)
    .where("tutorial_id", "=", tutorialId)
    .executeTakeFirst();
  return Number(gone.numDeletedRows) > 0;
}

export async function readTutorialVariant(
  db: Db,
  tutorialId: string,
  imageId: string,
  size: ImageSize,
): Promise<{ contentType: string; data: Buffer } | undefined> {
  if (!isUuid(imageId)) return undefined;
  const row = await db
    .selectFrom("tutorial_image_variants as v")
    .innerJoin("tutorial_images as i", "i.id", "v.image_id")
    .leftJoin("tutorial_made as m", "m.id", "i.made_id")
    .select(["v.content_type", "v.data"])
    // A removed "made it" photo is no longer served.
    .where("m.removed_at", "is", null)
    .where("i.id", "=", imageId)
    .where("i.tutorial_id", "=", tutorialId)
    .where("v.size", "=", size)
    .executeTakeFirst();
  return row ? { contentType: row.content_type, data: Buffer.from(row.data) } : undefined;
}

/**
 * The photo of a "Je l'ai fait !" post written here about a remote tutorial: sent to the
 * tutorial's instance, whose members' browsers load it from here without a session (ADR 0116).
 */
export async function readSentMadePhoto(
  db: Db,
  madeId: string,
): Promise<{ contentType: string; data: Buffer } | undefined> {
  if (!isUuid(madeId)) return undefined;
  const row = await db
    .selectFrom("tutorial_made as m")
    .innerJoin("tutorials as t", "t.id", "m.tutorial_id")
    .innerJoin("tutorial_images as i", "i.made_id", "m.id")
    .innerJoin("tutorial_image_variants as v", "v.image_id", "i.id")
    .select(["v.content_type", "v.data"])
    .where("m.id", "=", madeId)
    .where("m.removed_at", "is", null)
    .where("t.remote_uri", "is not", null)
    .where("v.size", "=", "federation")
    .executeTakeFirst();
  return row ? { contentType: row.content_type, data: Buffer.from(row.data) } : undefined;
}
