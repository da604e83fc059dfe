// Staff pages: write a consultation (details, then its questions while it is a draft), open and
// close it (closing.ts, as its close date does), enter paper ballots (traced per batch) and
// publish the response after the close.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole, STAFF_ROLES } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import type { FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { answersFromForm, checkAnswers } from "./ballots.ts";
import { closeConsultation } from "./closing.ts";
import { findConsultation, phaseOf, type Consultation } from "./consultations.repo.ts";
import * as service from "./consultations.service.ts";
import { ballotView } from "./consultations.view.ts";
import {
  formValues,
  toInput,
  toQuestion,
  validateConsultation,
  validateQuestion,
} from "./consultations.forms.ts";
import { QUESTION_KINDS } from "./consultations.tables.ts";

const ERROR_FIELD = { dates: "closesAt", offer: "offer", not_draft: "audience" } as const;

export function staffRoutes(router: express.Router, ctx: AppContext): void {
  const staffOnly = requireRole(...STAFF_ROLES);

  const byId = async (req: express.Request): Promise<Consultation> => {
    const c = await findConsultation(ctx.db, String(req.params.id));
    if (!c) throw new HttpError(404, "errors.notFound");
    return c;
  };

  const offers = () =>
    ctx.db
      .selectFrom("offers")
      .select(["id", "title", "starts_at"])
      .where("status", "=", "published")
      .orderBy("starts_at", "desc")
      .limit(100)
      .execute();

  const formPage = async (
    req: express.Request,
    res: express.Response,
    c: Consultation | undefined,
    values: object,
    errors: FieldError[] = [],
    questionErrors: FieldError[] = [],
  ) =>
    renderForm(
      res,
      "consultations/form",
      ctx.i18n,
      req,
      {
        title: c ? req.t("consultations:form.editTitle") : req.t("consultations:form.newTitle"),
        c: c && { ...c, phase: phaseOf(c) },
        draft: !c || c.status === "draft",
        offers: await offers(),
        kinds: QUESTION_KINDS.map((k) => ({ value: k, label: req.t(`consultations:kinds.${k}`) })),
        questionErrors: questionErrors.map((e) => req.t(e.key)),
        values,
        errors,
      },
      errors.length || questionErrors.length ? 422 : 200,
    );

  router.get("/consultations/new", staffOnly, (req, res) =>
    formPage(req, res, undefined, { audience: "instance" }),
  );

  router.post("/consultations/new", staffOnly, async (req, res) => {
    const form = parseForm(validateConsultation, req.body);
    if (!form.ok) return formPage(req, res, undefined, req.body as object, form.errors);
    const created = await service.createConsultation(ctx.db, req.user!, toInput(form.value));
    if (!created.ok)
      return formPage(req, res, undefined, req.body as object, [
        { field: ERROR_FIELD[created.error], key: `consultations:errors.${created.error}` },
      ]);
    flash(req, "consultations:created");
    res.redirect(303, `/consultations/${created.value}/edit`);
  });

  router.get("/consultations/:id/edit", staffOnly, async (req, res) => {
    const c = await byId(req);
    await formPage(req, res, c, formValues(c));
  });

  router.post("/consultations/:id/edit", staffOnly, async (req, res) => {
    const c = await byId(req);
    const form = parseForm(validateConsultation, req.body);
    if (!form.ok) return formPage(req, res, c, req.body as object, form.errors);
    const done = await service.updateConsultation(ctx.db, c, toInput(form.value));
    if (!done.ok)
      return formPage(req, res, c, req.body as object, [
        { field: ERROR_FIELD[done.error], key: `consultations:errors.${done.error}` },
      ]);
    flash(req, "consultations:saved");
    res.redirect(303, `/consultations/${c.id}/edit`);
  });

  router.post("/consultations/:id/questions", staffOnly, async (req, res) => {
    const c = await byId(req);
    const form = parseForm(validateQuestion, req.body);
    const added = form.ok
      ? await service.addQuestion(ctx.db, c, toQuestion(form.value))
      : undefined;
    if (!added?.ok) {
      const errors = form.ok
        ? [{ field: "options", key: `consultations:errors.${added!.ok ? "" : added!.error}` }]
        : form.errors.map((e) => ({ ...e, key: "consultations:errors.question" }));
      return formPage(req, res, c, formValues(c), [], errors);
    }
    flash(req, "consultations:questionAdded");
    res.redirect(303, `/consultations/${c.id}/edit#questions`);
  });

  router.post("/consultations/:id/questions/:questionId/delete", staffOnly, async (req, res) => {
    const c = await byId(req);
    const done = await service.removeQuestion(ctx.db, c, String(req.params.questionId));
    if (!done.ok) throw new HttpError(409, "consultations:errors.not_draft");
    res.redirect(303, `/consultations/${c.id}/edit#questions`);
  });

  router.post("/consultations/:id/open", staffOnly, async (req, res) => {
    const c = await byId(req);
    const done = await service.open(ctx.db, c);
    if (!done.ok) throw new HttpError(409, `consultations:errors.${done.error}`);
    await ctx.transaction(async (tx) => ctx.ports.consultations?.opened(tx, c.id));
    flash(req, "consultations:opened");
    res.redirect(303, `/consultations/${c.id}`);
  });

  router.post("/consultations/:id/close", staffOnly, async (req, res) => {
    const c = await byId(req);
    const closed = await ctx.transaction((tx) =>
      closeConsultation(tx, ctx.config.publicUrl, c, ctx.ports.consultations),
    );
    if (!closed) throw new HttpError(409, "consultations:errors.not_open");
    flash(req, "consultations:closed");
    res.redirect(303, `/consultations/${c.id}`);
  });

  const paperPage = async (
    req: express.Request,
    res: express.Response,
    c: Consultation,
    values: Record<string, unknown> = {},
    error?: string,
  ) =>
    res.status(error ? 422 : 200).render("consultations/paper", {
      title: req.t("consultations:paper.title", { title: c.title }),
      c,
      questions: ballotView(c, req.t, values),
      count: values.count ?? "1",
      note: values.note ?? "",
      error,
      batches: await service.paperBatches(ctx.db, c.id),
      tz: DEFAULT_TIMEZONE,
    });

  router.get("/consultations/:id/paper", staffOnly, async (req, res) =>
    paperPage(req, res, await byId(req)),
  );

  router.post("/consultations/:id/paper", staffOnly, async (req, res) => {
    const c = await byId(req);
    const body = req.body as Record<string, unknown>;
    const checked = checkAnswers(c.questions, answersFromForm(c.questions, body));
    if (!checked.ok)
      return paperPage(req, res, c, body, req.t(`consultations:errors.${checked.error}`));
    const count = /^\d{1,5}$/.test(String(body.count ?? "")) ? Number(body.count) : NaN;
    const done = await ctx.transaction((tx) =>
      service.enterPaper(tx, c, req.user!, checked.value, count, String(body.note ?? "")),
    );
    if (!done.ok)
      return paperPage(req, res, c, body, req.t(`consultations:errors.paper_${done.error}`));
    flash(req, "consultations:paperEntered", { count });
    res.redirect(303, `/consultations/${c.id}/paper`);
  });

  router.post("/consultations/:id/response", staffOnly, async (req, res) => {
    const c = await byId(req);
    const text = String((req.body as { response?: string }).response ?? "").trim();
    if (text.length < 3 || text.length > 8000)
      throw new HttpError(422, "consultations:errors.response");
    const done = await ctx.transaction((tx) =>
      service.publishResponse(tx, ctx.config.publicUrl, c, text),
    );
    if (!done.ok) throw new HttpError(409, `consultations:errors.${done.error}`);
    await ctx.transaction(async (tx) => ctx.ports.consultations?.closed(tx, c.id));
    flash(req, "consultations:responded");
    res.redirect(303, `/consultations/${c.id}`);
  });
}
