// Members' pages: /participer (open and closed consultations, and what other participation
// modules add in the slot "participation.home"), a consultation (introduction, documents, rules,
// then results once closed), the ballot (rules first), the printable ballot and results.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireUser, STAFF_ROLES } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";

import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { answersFromForm, checkAnswers } from "./ballots.ts";
import {
  findConsultation,
  listConsultations,
  phaseOf,
  type Consultation,
} from "./consultations.repo.ts";
import * as service from "./consultations.service.ts";
import { ballotView, resultsView, summaryView } from "./consultations.view.ts";
import { results } from "./results.ts";
import { networkSettings } from "./network.service.ts";
import { listRemote, remoteOpen } from "./remote.service.ts";

const isStaff = (req: express.Request) =>
  req.user !== undefined && STAFF_ROLES.includes(req.user.role);

/** A consultation the viewer may see: drafts only to staff. */
export async function visible(ctx: AppContext, req: express.Request): Promise<Consultation> {
  const c = await findConsultation(ctx.db, String(req.params.id));
  if (!c || (c.status === "draft" && !isStaff(req))) throw new HttpError(404, "errors.notFound");
  return c;
}

export function consultationRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/participer", async (req, res) => {
    const all = (await listConsultations(ctx.db, { drafts: isStaff(req) })).map((c) =>
      summaryView(c),
    );
    const slots = await ctx.modules.fill("participation.home", req, {});
    res.render("consultations/participer", {
      title: req.t("consultations:home.title"),
      open: all.filter((c) => c.phase === "open" || c.phase === "scheduled").reverse(),
      closed: all.filter((c) => c.phase === "closed"),
      drafts: all.filter((c) => c.phase === "draft"),
      network: (await listRemote(ctx.db)).map((rc) => ({ ...rc, open: remoteOpen(rc) })),
      staff: isStaff(req),
      slots,
      tz: DEFAULT_TIMEZONE,
    });
  });

  router.get("/consultations/:id", async (req, res) => {
    const c = await visible(ctx, req);
    const phase = phaseOf(c);
    const user = req.user;
    const answered = user ? await service.hasAnswered(ctx.db, c.id, user.id) : false;
    const canAnswer =
      user !== undefined &&
      phase === "open" &&
      !answered &&
      (await service.eligible(ctx.db, c, user));
    res.render("consultations/consultation", {
      title: c.title,
      c: summaryView(c),
      phase,
      answered,
      canAnswer,
      notEligible: user !== undefined && phase === "open" && !answered && !canAnswer,
      results:
        phase === "closed"
          ? resultsView(
              await results(
                ctx.db,
                c,
                networkSettings(ctx.modules.settings("consultations")).mastodonVotes,
              ),
              req.t,
            )
          : undefined,
      staff: isStaff(req),
      tz: DEFAULT_TIMEZONE,
    });
  });

  const ballotPage = (
    req: express.Request,
    res: express.Response,
    c: Consultation,
    values: Record<string, unknown> = {},
    error?: { question: string; message: string },
  ) =>
    res.status(error ? 422 : 200).render("consultations/answer", {
      title: req.t("consultations:ballot.title", { title: c.title }),
      c,
      questions: ballotView(c, req.t, values).map((q) => ({
        ...q,
        error: error?.question === q.id ? error.message : undefined,
      })),
      error,
      tz: DEFAULT_TIMEZONE,
    });

  router.get("/consultations/:id/answer", requireUser, async (req, res) => {
    const c = await visible(ctx, req);
    if (phaseOf(c) !== "open") return res.redirect(303, `/consultations/${c.id}`);
    if (await service.hasAnswered(ctx.db, c.id, req.user!.id))
      return res.redirect(303, `/consultations/${c.id}`);
    ballotPage(req, res, c);
  });

  router.post("/consultations/:id/answer", requireUser, async (req, res) => {
    const c = await visible(ctx, req);
    const body = req.body as Record<string, unknown>;
    const checked = checkAnswers(c.questions, answersFromForm(c.questions, body));
    if (!checked.ok) {
      const question = String(checked.details?.question ?? "");
      return ballotPage(req, res, c, body, {
        question,
        message: req.t(`consultations:errors.${checked.error}`),
      });
    }
    const done = await ctx.transaction((tx) => service.answer(tx, c, req.user!, checked.value));
    if (!done.ok)
      throw new HttpError(
        done.error === "already_answered" ? 409 : done.error === "not_eligible" ? 403 : 422,
        `consultations:errors.${done.error}`,
      );
    flash(req, "consultations:answered");
    res.redirect(303, `/consultations/${c.id}`);
  });

  // Paper: the ballot to print and hand out, and the results to post on a notice board.
  router.get("/consultations/:id/ballot", async (req, res) => {
    const c = await visible(ctx, req);
    res.render("consultations/ballot-print", {
      layout: false,
      title: req.t("consultations:print.ballotTitle", { title: c.title }),
      c,
      questions: ballotView(c, req.t),
      tz: DEFAULT_TIMEZONE,
    });
  });

  router.get("/consultations/:id/results/print", async (req, res) => {
    const c = await visible(ctx, req);
    if (phaseOf(c) !== "closed") throw new HttpError(404, "errors.notFound");
    res.render("consultations/results-print", {
      layout: false,
      title: req.t("consultations:print.resultsTitle", { title: c.title }),
      c,
      results: resultsView(
        await results(
          ctx.db,
          c,
          networkSettings(ctx.modules.settings("consultations")).mastodonVotes,
        ),
        req.t,
      ),
      printedAt: new Date(),
      tz: DEFAULT_TIMEZONE,
    });
  });
}
