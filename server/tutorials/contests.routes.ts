// Contest pages: the list (running and archive), a contest (entries, entering, voting, results
// at close), and the staff's form to open one.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole, requireUser, STAFF_ROLES } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { compileForm } from "../http/validate.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { DateTime } from "luxon";
import * as contests from "./contests.service.ts";
import { listOwn } from "./tutorials.repo.ts";

interface ContestForm {
  title: string;
  theme?: string;
  rules?: string;
  prizes?: string;
  submissionsEnd: string;
  votesEnd: string;
}
const LOCAL = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$";
const validateContest = compileForm<ContestForm>({
  type: "object",
  required: ["title", "submissionsEnd", "votesEnd"],
  properties: {
    title: { type: "string", minLength: 3, maxLength: 150 },
    theme: { type: "string", maxLength: 2000 },
    rules: { type: "string", maxLength: 4000 },
    prizes: { type: "string", maxLength: 2000 },
    submissionsEnd: { type: "string", pattern: LOCAL },
    votesEnd: { type: "string", pattern: LOCAL },
  },
});

/** A date and time typed in the instance's timezone. */
const local = (value: string) => DateTime.fromISO(value, { zone: DEFAULT_TIMEZONE }).toJSDate();

export function contestRoutes(router: express.Router, ctx: AppContext): void {
  const staffOnly = requireRole(...STAFF_ROLES);

  router.get("/tutorials/contests", async (req, res) => {
    const { running, archive } = await contests.listContests(ctx.db);
    const view = (c: contests.Contest) => ({ ...c, phase: contests.phaseOf(c) });
    res.render("tutorials/contests", {
      title: req.t("tutorials:contests.title"),
      running: running.map(view),
      archive: archive.map(view),
      staff: req.user !== undefined && STAFF_ROLES.includes(req.user.role),
      tz: DEFAULT_TIMEZONE,
    });
  });

  const newPage = (
    req: express.Request,
    res: express.Response,
    values: object,
    errors = [] as { field: string; key: string }[],
  ) =>
    renderForm(res, "tutorials/contest-form", ctx.i18n, req, {
      title: req.t("tutorials:contests.new"),
      values,
      errors,
    });

  router.get("/tutorials/contests/new", staffOnly, (req, res) => newPage(req, res, {}));

  router.post("/tutorials/contests/new", staffOnly, async (req, res) => {
    const form = parseForm(validateContest, req.body);
    if (!form.ok) return newPage(req, res, req.body as object, form.errors);
    const v = form.value;
    const created = await contests.createContest(ctx.db, req.user!, {
      title: v.title,
      theme: v.theme ?? "",
      rules: v.rules ?? "",
      prizes: v.prizes ?? "",
      submissionsEndAt: local(v.submissionsEnd),
      votesEndAt: local(v.votesEnd),
    });
    if (!created.ok)
      return newPage(req, res, req.body as object, [
        { field: "votesEnd", key: "tutorials:contests.errors.dates" },
      ]);
    flash(req, "tutorials:contests.created");
    res.redirect(303, `/tutorials/contests/${created.value}`);
  });

  const contestOr404 = async (req: express.Request) => {
    const contest = await contests.findContest(ctx.db, String(req.params.id));
    if (!contest) throw new HttpError(404, "errors.notFound");
    return contest;
  };

  router.get("/tutorials/contests/:id", async (req, res) => {
    const contest = await contestOr404(req);
    const phase = contests.phaseOf(contest);
    const { list, myVote } = await contests.entries(ctx.db, contest, req.user);
    const entered = new Set(list.map((e) => e.id));
    const mine =
      req.user && phase === "entries"
        ? (await listOwn(ctx.db, req.user.id)).filter(
            (t) => t.status === "published" && !entered.has(t.id),
          )
        : [];
    const sorted = phase === "closed" ? [...list].sort((a, b) => b.votes - a.votes) : list;
    res.render("tutorials/contest", {
      title: contest.title,
      contest,
      phase,
      entries: sorted.map((e) => ({
        ...e,
        mine: e.authorId === req.user?.id,
        voted: myVote === e.id,
      })),
      canVote: req.user !== undefined && phase === "vote" && myVote === undefined,
      myVote,
      mine: mine.map((t) => ({ id: t.id, title: t.title })),
      tz: DEFAULT_TIMEZONE,
    });
  });

  router.post("/tutorials/contests/:id/entries", requireUser, async (req, res) => {
    const contest = await contestOr404(req);
    const tutorialId = String((req.body as { tutorial?: string }).tutorial ?? "");
    const done = await contests.enter(ctx.db, contest, req.user!, tutorialId);
    if (!done.ok) throw new HttpError(422, `tutorials:contests.errors.${done.error}`);
    flash(req, "tutorials:contests.entered");
    res.redirect(303, `/tutorials/contests/${contest.id}`);
  });

  router.post("/tutorials/contests/:id/votes", requireUser, async (req, res) => {
    const contest = await contestOr404(req);
    const tutorialId = String((req.body as { tutorial?: string }).tutorial ?? "");
    const done = await contests.vote(ctx.db, contest, req.user!, tutorialId);
    if (!done.ok)
      throw new HttpError(
        done.error === "already_voted" ? 409 : 422,
        `tutorials:contests.errors.${done.error}`,
      );
    flash(req, "tutorials:contests.voted");
    res.redirect(303, `/tutorials/contests/${contest.id}`);
  });
}
