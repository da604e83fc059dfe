// What the mail confirming a place says besides "you are in": when, where, how much and how to
// pay, with the activity as an .ics file to add to a calendar in one tap.
import type { Db } from "../db/database.ts";
import type { MailAttachment } from "../mail/mail.types.ts";
import { calendar, entryOf } from "./feeds.ts";
import { money } from "./offers.view.ts";
import type { PriceTier } from "./offers.tables.ts";

export interface BookingDetails {
  data: Record<string, string | number>;
  attachments: MailAttachment[];
}

export async function bookingDetails(
  db: Db,
  publicUrl: URL,
  offerId: string,
  userId: string,
): Promise<BookingDetails | undefined> {
  const [entry, offer, user] = await Promise.all([
    entryOf(db, offerId, true),
    db
      .selectFrom("offers")
      .select(["price_tiers", "min_price_cents"])
      .where("id", "=", offerId)
      .executeTakeFirst(),
    db.selectFrom("users").select("language").where("id", "=", userId).executeTakeFirst(),
  ]);
  if (!entry || !offer || !user) return undefined;
  const lang = user.language;
  const tiers = offer.price_tiers as PriceTier[];
  const date = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
    dateStyle: "full",
    timeStyle: "short",
    timeZone: entry.timezone,
  }).format(entry.startsAt);
  const place =
    entry.locationKind === "online"
      ? new URL(`/offers/${entry.id}`, publicUrl).href
      : [entry.address, [entry.postalCode, entry.city].filter(Boolean).join(" ")]
          .filter(Boolean)
          .join(", ");
  // One price for everyone, or a range that depends on the family quotient.
  const price =
    tiers.length === 0
      ? ""
      : tiers.length === 1
        ? money(tiers[0]!.price, lang)
        : `${money(offer.min_price_cents, lang)} – ${money(Math.max(...tiers.map((t) => t.price)), lang)}`;
  return {
    // `context` picks the catalogue's wording for a free activity (i18next contexts).
    data: { date, place, price, ...(tiers.length === 0 ? { context: "free" } : {}) },
    attachments: [
      {
        filename: "activite.ics",
        contentType: "text/calendar; charset=utf-8; method=PUBLISH",
        content: calendar(entry.title, publicUrl, [entry]),
      },
    ],
  };
}
