// Consultations in the JSON API: the list, one consultation with its questions, answering (one
// secret ballot per member) and the results once closed.
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { checkAnswers } from "./ballots.ts";
import {
  findConsultation,
  listConsultations,
  phaseOf,
  type Consultation,
} from "./consultations.repo.ts";
import * as service from "./consultations.service.ts";
import { results } from "./results.ts";
import { networkSettings } from "./network.service.ts";

const QUESTION_JSON = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    kind: { type: "string", enum: ["single", "multiple", "ranking", "scale", "text"] },
    prompt: { type: "string" },
    options: { type: "array", items: { type: "string" } },
    maxChoices: { type: ["integer", "null"] },
  },
} as const;

const CONSULTATION_JSON = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    title: { type: "string" },
    intro: { type: "string" },
    rules: { type: "string" },
    documents: {
      type: "array",
      items: { type: "object", properties: { title: { type: "string" }, url: { type: "string" } } },
    },
    audience: { type: "string", enum: ["instance", "network", "offer"] },
    offerId: { type: ["string", "null"] },
    phase: { type: "string", enum: ["draft", "scheduled", "open", "closed"] },
    opensAt: { type: "string", format: "date-time" },
    closesAt: { type: "string", format: "date-time" },
    quorum: { type: ["integer", "null"] },
    response: { type: ["string", "null"] },
    questions: { type: "array", items: QUESTION_JSON },
  },
} as const;

const ANSWER_BODY = {
  type: "object",
  required: ["answers"],
  additionalProperties: false,
  properties: {
    answers: {
      type: "object",
      description:
        "By question id: an option index (single), indexes (multiple), every index in order of preference (ranking), 1 to 5 (scale), or text",
      additionalProperties: {
        anyOf: [
          { type: "integer" },
          { type: "string", maxLength: 500 },
          { type: "array", maxItems: 20, items: { type: "integer" } },
        ],
      },
    },
  },
} as const;

export function consultationsApi(api: ApiRegistry, ctx: AppContext): void {
  const json = (c: Consultation) => ({
    id: c.id,
    title: c.title,
    intro: c.intro,
    rules: c.rules,
    documents: c.documents,
    audience: c.audience,
    offerId: c.offerId,
    phase: phaseOf(c),
    opensAt: c.opensAt.toISOString(),
    closesAt: c.closesAt.toISOString(),
    quorum: c.quorum,
    response: c.response,
    questions: c.questions,
  });
  const found = async (req: ApiRequest<unknown, unknown>) => {
    const c = await findConsultation(ctx.db, String(req.params.id));
    const staff = req.apiUser !== undefined && STAFF_ROLES.includes(req.apiUser.role);
    if (!c || (c.status === "draft" && !staff)) throw new HttpError(404, "errors.notFound");
    return c;
  };

  api.add({
    method: "get",
    path: "/consultations",
    summary: "Consultations: open and closed ones, latest close first",
    tags: ["consultations"],
    auth: "optional",
    responses: {
      200: {
        description: "The consultations (without their questions)",
        schema: {
          type: "object",
          properties: { items: { type: "array", items: CONSULTATION_JSON } },
        },
      },
    },
    async handler(_req, res) {
      const list = await listConsultations(ctx.db);
      res.json({ items: list.map(json) });
    },
  });

  api.add({
    method: "get",
    path: "/consultations/:id",
    summary: "A consultation with its questions, and whether I have answered",
    tags: ["consultations"],
    auth: "optional",
    responses: {
      200: {
        description: "The consultation",
        schema: {
          type: "object",
          properties: { consultation: CONSULTATION_JSON, answered: { type: ["boolean", "null"] } },
        },
      },
    },
    async handler(req, res) {
      const c = await found(req);
      const answered = req.apiUser ? await service.hasAnswered(ctx.db, c.id, req.apiUser.id) : null;
      res.json({ consultation: json(c), answered });
    },
  });

  api.add<{ answers: Record<string, unknown> }>({
    method: "post",
    path: "/consultations/:id/answers",
    summary: "Answer a consultation: one secret ballot per member, while it is open",
    tags: ["consultations"],
    auth: "user",
    body: ANSWER_BODY,
    responses: {
      204: { description: "Ballot recorded (it does not name the voter)" },
      403: { description: "Not in the consultation's audience" },
      409: { description: "Already answered" },
      422: { description: "An answer is missing or wrong, or the consultation is not open" },
    },
    async handler(req, res) {
      const c = await found(req);
      const checked = checkAnswers(c.questions, req.body.answers);
      if (!checked.ok)
        throw new HttpError(422, `consultations:errors.${checked.error}`, {
          detail: `${checked.error}: ${String(checked.details?.question ?? "")}`,
        });
      const done = await ctx.transaction((tx) =>
        service.answer(tx, c, req.apiUser!, checked.value),
      );
      if (!done.ok)
        throw new HttpError(
          done.error === "already_answered" ? 409 : done.error === "not_eligible" ? 403 : 422,
          `consultations:errors.${done.error}`,
          { detail: done.error },
        );
      res.status(204).end();
    },
  });

  api.add({
    method: "get",
    path: "/consultations/:id/results",
    summary: "The results, once closed: ballots by channel, per question counts, quorum",
    tags: ["consultations"],
    auth: "optional",
    responses: {
      200: {
        description: "The results",
        schema: {
          type: "object",
          properties: {
            ballots: { type: "integer" },
            representative: { type: "boolean" },
            byChannel: { type: "object", additionalProperties: { type: "integer" } },
            byInstance: { type: "array", items: { type: "object" } },
            questions: { type: "array", items: { type: "object" } },
            otherSoftware: {
              type: "array",
              description:
                "Votes of Mastodon-like software per option, when the setting shows them apart",
              items: { type: "object" },
            },
          },
        },
      },
      409: { description: "Not closed yet: no count is shown while it is open" },
    },
    async handler(req, res) {
      const c = await found(req);
      if (phaseOf(c) !== "closed") throw new HttpError(409, "consultations:errors.not_closed");
      const r = await results(
        ctx.db,
        c,
        networkSettings(ctx.modules.settings("consultations")).mastodonVotes,
      );
      res.json({
        ...r,
        questions: r.questions.map((q) => ({
          question: q.question.id,
          kind: q.question.kind,
          prompt: q.question.prompt,
          answered: q.answered,
          options: q.options,
          ...(q.scores ? { scores: q.scores } : {}),
          ...(q.mean !== undefined ? { mean: q.mean } : {}),
          ...(q.texts ? { texts: q.texts } : {}),
        })),
      });
    },
  });
}
