// What consultations add to other modules' pages: below an offer, the short consultations of its
// participants (open ones with a link to answer, closed ones with a link to the results).
import type { SlotFiller } from "../modules/module.ts";
import { listConsultations } from "./consultations.repo.ts";
import { summaryView } from "./consultations.view.ts";

export const offerConsultations: SlotFiller = async (_req, ctx, subject) => {
  const offer = subject.offer as { id: string };
  const list = await listConsultations(ctx.db, { offerId: offer.id, limit: 10 });
  if (list.length === 0) return undefined;
  return {
    partial: "consultations/offer",
    locals: { consultations: list.map((c) => summaryView(c)) },
  };
};
