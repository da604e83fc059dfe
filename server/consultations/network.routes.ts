// Members' pages of the network's consultations (ADR 0131): one received from the organiser
// (often the hub) shows its territory, introduction and link; a member answers here, and this
// instance sends the vote. The page says "vous avez participé" (or why the organiser refused the
// vote), never what was chosen, and shows the results the organiser published at close.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { answersFromForm, checkAnswers } from "./ballots.ts";
import type { Consultation } from "./consultations.repo.ts";
import { ballotView } from "./consultations.view.ts";
import * as remote from "./remote.service.ts";

/** The received consultation in the shape the ballot's fields are drawn from. */
const asConsultation = (rc: remote.RemoteConsultation): Consultation => ({
  id: rc.id,
  title: rc.title,
  intro: rc.intro,
  rules: "",
  documents: [],
  audience: "network",
  offerId: null,
  status: rc.closed ? "closed" : "open",
  opensAt: new Date(0),
  closesAt: rc.endsAt,
  quorum: null,
  response: null,
  responseAt: null,
  createdAt: new Date(0),
  questions: rc.questions,
});

const resultsOf = (r: remote.RemoteConsultation["results"]) =>
  r && {
    ...r,
    questions: r.questions.map((q, i) => ({ ...q, n: i + 1 })),
  };

export function networkRoutes(router: express.Router, ctx: AppContext): void {
  const found = async (req: express.Request) => {
    const rc = await remote.findRemote(ctx.db, String(req.params.id));
    if (!rc) throw new HttpError(404, "errors.notFound");
    return rc;
  };

  const page = async (
    req: express.Request,
    res: express.Response,
    rc: remote.RemoteConsultation,
    values: Record<string, unknown> = {},
    error?: { question: string; message: string },
  ) => {
    const user = req.user;
    const took = user ? await remote.participation(ctx.db, rc.id, user.id) : undefined;
    const open = remote.remoteOpen(rc);
    res.status(error ? 422 : 200).render("consultations/network", {
      title: rc.title,
      rc,
      open,
      took,
      refusedReason: took?.refused
        ? req.t(`consultations:network.refusals.${took.refused}`, {
            defaultValue: took.refused,
          })
        : undefined,
      canAnswer: user !== undefined && open && !took,
      questions:
        user !== undefined && open && !took
          ? ballotView(asConsultation(rc), req.t, values).map((q) => ({
              ...q,
              error: error?.question === q.id ? error.message : undefined,
            }))
          : [],
      error,
      results: resultsOf(rc.results),
      notRepresentative: rc.results?.representative === false,
      tz: DEFAULT_TIMEZONE,
    });
  };

  router.get("/consultations/reseau/:id", async (req, res) => {
    await page(req, res, await found(req));
  });

  router.post("/consultations/reseau/:id/answer", requireUser, async (req, res) => {
    const rc = await found(req);
    const body = req.body as Record<string, unknown>;
    const checked = checkAnswers(rc.questions, answersFromForm(rc.questions, body));
    if (!checked.ok)
      return page(req, res, rc, body, {
        question: String(checked.details?.question ?? ""),
        message: req.t(`consultations:errors.${checked.error}`),
      });
    const done = await ctx.transaction((tx) =>
      remote.answerRemote(tx, rc, req.user!, checked.value, ctx.ports.consultations),
    );
    if (!done.ok)
      throw new HttpError(
        done.error === "already_answered" ? 409 : done.error === "no_federation" ? 503 : 422,
        `consultations:errors.${done.error}`,
      );
    flash(req, "consultations:network.sent");
    res.redirect(303, `/consultations/reseau/${rc.id}`);
  });
}
