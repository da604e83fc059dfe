// Reading comfort per member: text size and high contrast, kept with the account so that they
// follow the member from one device to another (migration 0101).
import type express from "express";
import type { Db } from "../db/database.ts";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { flash } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { HttpError } from "../http/errors.ts";

export const TEXT_SIZES = ["normal", "large", "larger"] as const;
export type TextSize = (typeof TEXT_SIZES)[number];

export interface DisplayTables {
  member_display_preferences: {
    user_id: string;
    text_size: TextSize;
    high_contrast: boolean;
    updated_at: Date;
  };
}

declare module "../db/schema.ts" {
  interface Database extends DisplayTables {}
}

export interface DisplayPreferences {
  textSize: TextSize;
  highContrast: boolean;
}

export const DEFAULT_DISPLAY: DisplayPreferences = { textSize: "normal", highContrast: false };

export async function readDisplay(db: Db, userId: string): Promise<DisplayPreferences> {
  const row = await db
    .selectFrom("member_display_preferences")
    .select(["text_size", "high_contrast"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row ? { textSize: row.text_size, highContrast: row.high_contrast } : DEFAULT_DISPLAY;
}

export async function saveDisplay(
  db: Db,
  userId: string,
  prefs: DisplayPreferences,
): Promise<void> {
  const values = {
    text_size: prefs.textSize,
    high_contrast: prefs.highContrast,
    updated_at: new Date(),
  };
  await db
    .insertInto("member_display_preferences")
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
    .execute();
}

export function displayRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.post(
    "/me/display",
    requireUser,
    on(async (_ctx, req, res) => {
      const body = req.body as { textSize?: unknown; highContrast?: unknown };
      const textSize = TEXT_SIZES.find((s) => s === body.textSize);
      // A value that is not offered is refused, never stored.
      if (!textSize) throw new HttpError(400, "members:display.invalid");
      await saveDisplay(ctx.db, req.user!.id, {
        textSize,
        highContrast: body.highContrast === "on",
      });
      flash(req, "members:display.saved");
      res.redirect(303, "/me#display");
    }),
  );
}
