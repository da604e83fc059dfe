// Reviews of the demonstration CMCAS (bin/seed-demo.ts): about half the participants of the
// activities that are over review them.
import type { AppContext } from "../../server/context.ts";
import { saveReview } from "./reviews.service.ts";

const COMMENTS = [
  "Très bonne organisation, merci à l'équipe !",
  "Les enfants ont adoré, à refaire.",
  "Un peu court, mais le guide était passionnant.",
  "Accueil chaleureux et beaux paysages.",
  "Bien, même si le rendez-vous était difficile à trouver.",
  "",
];

/** Deterministic, so that two seeds of the same instance look alike. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export async function seedReviews(ctx: AppContext): Promise<number> {
  const rnd = random(42);
  const past = await ctx.db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .select(["r.offer_id", "r.user_id"])
    .where("o.status", "=", "completed")
    .where("r.status", "=", "confirmed")
    .execute();
  let count = 0;
  for (const row of past) {
    if (!row.user_id || rnd() < 0.5) continue;
    const saved = await saveReview(ctx.db, {
      offerId: row.offer_id,
      userId: row.user_id,
      rating: 3 + Math.floor(rnd() * 3),
      comment: COMMENTS[Math.floor(rnd() * COMMENTS.length)]!,
    });
    if (saved.ok) count += 1;
  }
  return count;
}
