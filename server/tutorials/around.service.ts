// What readers do with a tutorial: keep it in their favourites, vote it useful, and show that
// they made it ("Je l'ai fait !": a photo and a few words, shown as a gallery under it).
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { addTutorialImage, type TutorialImageError } from "./images.service.ts";
import { coauthorIds, isUuid, type Tutorial } from "./tutorials.repo.ts";
import { refreshMadeCount, refreshUsefulCount } from "./incoming.service.ts";
import type { TutorialsPort } from "./tutorials.port.ts";

export async function setFavourite(db: Db, tutorialId: string, userId: string, on: boolean) {
  if (on)
    await db
      .insertInto("tutorial_favourites")
      .values({ tutorial_id: tutorialId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  else
    await db
      .deleteFrom("tutorial_favourites")
      .where("tutorial_id", "=", tutorialId)
      .where("user_id", "=", userId)
      .execute();
}

/**
 * One vote per member; the count is recomputed from the votes so it never drifts. A vote on a
 * remote tutorial also goes to its instance (a `Like`, taken back by its `Undo`).
 */
export async function setUseful(
  tx: Tx,
  tutorial: Tutorial,
  userId: string,
  on: boolean,
  port?: TutorialsPort,
): Promise<Result<void, "own" | "not_published">> {
  if (tutorial.status !== "published") return fail("not_published");
  if (tutorial.authorId === userId) return fail("own");
  const changed = on
    ? await tx.db
        .insertInto("tutorial_useful")
        .values({ tutorial_id: tutorial.id, user_id: userId })
        .onConflict((oc) => oc.doNothing())
        .returning("user_id")
        .executeTakeFirst()
    : await tx.db
        .deleteFrom("tutorial_useful")
        .where("tutorial_id", "=", tutorial.id)
        .where("user_id", "=", userId)
        .returning("ap_id")
        .executeTakeFirst();
  await refreshUsefulCount(tx.db, tutorial.id);
  if (changed && tutorial.remoteUri && port) {
    const likeId = await port.voted(tx, {
      tutorialId: tutorial.id,
      userId,
      on,
      likeId: "ap_id" in changed ? changed.ap_id : null,
    });
    if (on && likeId)
      await tx.db
        .updateTable("tutorial_useful")
        .set({ ap_id: likeId })
        .where("tutorial_id", "=", tutorial.id)
        .where("user_id", "=", userId)
        .execute();
  }
  return ok(undefined);
}

export async function readerState(db: Db, tutorialId: string, userId: string | undefined) {
  if (!userId) return { favourite: false, useful: false };
  const [fav, useful] = await Promise.all([
    db
      .selectFrom("tutorial_favourites")
      .select("user_id")
      .where("tutorial_id", "=", tutorialId)
      .where("user_id", "=", userId)
      .executeTakeFirst(),
    db
      .selectFrom("tutorial_useful")
      .select("user_id")
      .where("tutorial_id", "=", tutorialId)
      .where("user_id", "=", userId)
      .executeTakeFirst(),
  ]);
  return { favourite: fav !== undefined, useful: useful !== undefined };
}

export async function listFavourites(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("tutorial_favourites")
    .select("tutorial_id")
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => r.tutorial_id);
}

export type MadeError = TutorialImageError | "body" | "not_published";

/** A "Je l'ai fait !" post: words, and a photo with its alt text (both required). */
export async function postMade(
  db: Db,
  publicUrl: URL,
  input: { tutorial: Tutorial; user: User; body: string; image: Buffer | undefined; alt: string },
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>,
  port?: TutorialsPort,
): Promise<Result<string, MadeError>> {
  const body = input.body.trim().slice(0, 2000);
  if (input.tutorial.status !== "published") return fail("not_published");
  if (body.length === 0) return fail("body");
  if (!input.image) return fail("type");
  if (input.alt.trim().length === 0) return fail("alt");
  const made = await db
    .insertInto("tutorial_made")
    .values({ tutorial_id: input.tutorial.id, author_id: input.user.id, body })
    .returning("id")
    .executeTakeFirstOrThrow();
  const image = await addTutorialImage(db, {
    tutorialId: input.tutorial.id,
    stepId: null,
    madeId: made.id,
    data: input.image,
    alt: input.alt,
  });
  if (!image.ok) {
    // The photo was refused: the words go too, so nothing half-written stays.
    await db.deleteFrom("tutorial_made").where("id", "=", made.id).execute();
    return fail(image.error);
  }
  await refreshMadeCount(db, input.tutorial.id);
  const authors = [input.tutorial.authorId, ...(await coauthorIds(db, input.tutorial.id))];
  await transaction(async (tx) => {
    for (const userId of new Set(authors))
      if (userId && userId !== input.user.id)
        await notify(tx, publicUrl, {
          userId,
          kind: "tutorials:made",
          data: { name: input.user.displayName, title: input.tutorial.title },
          link: `/tutorials/${input.tutorial.id}#made`,
        });
    // Made from a remote tutorial: its instance hears of it (a Note in reply to its Article).
    if (input.tutorial.remoteUri && port)
      await port.made(tx, {
        tutorialId: input.tutorial.id,
        madeId: made.id,
        userId: input.user.id,
      });
  });
  return ok(made.id);
}

/** Removed by its author, or by staff with a reason told to its author. */
export async function removeMade(
  tx: Tx,
  publicUrl: URL,
  input: { tutorialId: string; madeId: string; by: User; staff: boolean; reason: string },
): Promise<Result<void, "not_found" | "forbidden" | "reason_required">> {
  if (!isUuid(input.madeId)) return fail("not_found");
  const made = await tx.db
    .selectFrom("tutorial_made")
    .select(["author_id", "removed_at"])
    .where("id", "=", input.madeId)
    .where("tutorial_id", "=", input.tutorialId)
    .executeTakeFirst();
  if (!made || made.removed_at) return fail("not_found");
  const own = made.author_id === input.by.id;
  if (!own && !input.staff) return fail("forbidden");
  const reason = input.reason.trim().slice(0, 1000);
  if (!own && reason.length < 3) return fail("reason_required");
  await tx.db
    .updateTable("tutorial_made")
    .set({ removed_at: new Date(), removal_reason: reason || "—" })
    .where("id", "=", input.madeId)
    .execute();
  await refreshMadeCount(tx.db, input.tutorialId);
  if (!own && made.author_id)
    await notify(tx, publicUrl, {
      userId: made.author_id,
      kind: "tutorials:madeRemoved",
      data: { reason },
      link: `/tutorials/${input.tutorialId}#made`,
    });
  return ok(undefined);
}

export async function listMade(db: Db, tutorialId: string) {
  const rows = await db
    .selectFrom("tutorial_made as m")
    .leftJoin("users as u", "u.id", "m.author_id")
    .leftJoin("tutorial_images as i", "i.made_id", "m.id")
    .select([
      "m.id",
      "m.body",
      "m.author_id",
      "u.display_name",
      "m.created_at",
      "i.id as image_id",
      "i.alt",
      "m.author_name",
      "m.author_url",
      "m.remote_image_url",
      "m.remote_image_alt",
    ])
    .where("m.tutorial_id", "=", tutorialId)
    .where("m.removed_at", "is", null)
    .orderBy("m.created_at", "desc")
    .limit(60)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    body: r.body,
    authorId: r.author_id,
    // Written elsewhere: its author's name and page there, its photo where it was published.
    author: r.display_name ?? r.author_name,
    authorUrl: r.author_url,
    createdAt: r.created_at,
    imageId: r.image_id,
    imageUrl: r.remote_image_url,
    alt: r.alt ?? r.remote_image_alt,
  }));
}
