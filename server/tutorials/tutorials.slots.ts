// What the tutorials add to other modules' pages: below an offer, the tutorials taught there.
import type { SlotFiller } from "../modules/module.ts";
import { listTutorials } from "./tutorials.repo.ts";
import { cardView } from "./tutorials.view.ts";

export const offerTutorials: SlotFiller = async (req, ctx, subject) => {
  const offer = subject.offer as { id: string };
  const { items } = await listTutorials(ctx.db, req.user, { offerId: offer.id, limit: 12 });
  if (items.length === 0) return undefined;
  return {
    partial: "tutorials/offer",
    locals: { tutorials: items.map((t) => cardView(t, req.lang, req.t)) },
  };
};
