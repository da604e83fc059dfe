// Contests in the JSON API: the list, one contest with its entries (counts once closed),
// entering a tutorial and voting.
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import * as contests from "./contests.service.ts";

const CONTEST_JSON = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    title: { type: "string" },
    theme: { type: "string" },
    rules: { type: "string" },
    prizes: { type: "string" },
    phase: { type: "string", enum: ["entries", "vote", "closed"] },
    submissionsEndAt: { type: "string", format: "date-time" },
    votesEndAt: { type: "string", format: "date-time" },
  },
} as const;

const TUTORIAL_BODY = {
  type: "object",
  required: ["tutorial"],
  additionalProperties: false,
  properties: { tutorial: { type: "string", format: "uuid" } },
} as const;

export function contestsApi(api: ApiRegistry, ctx: AppContext): void {
  const json = (c: contests.Contest) => ({
    ...c,
    phase: contests.phaseOf(c),
    submissionsEndAt: c.submissionsEndAt.toISOString(),
    votesEndAt: c.votesEndAt.toISOString(),
  });
  const found = async (req: ApiRequest<unknown, unknown>) => {
    const contest = await contests.findContest(ctx.db, String(req.params.id));
    if (!contest) throw new HttpError(404, "errors.notFound");
    return contest;
  };

  api.add({
    method: "get",
    path: "/tutorial-contests",
    summary: "Tutorial contests: running ones, then the archive",
    tags: ["tutorials"],
    auth: "optional",
    responses: {
      200: {
        description: "The contests",
        schema: {
          type: "object",
          properties: {
            running: { type: "array", items: CONTEST_JSON },
            archive: { type: "array", items: CONTEST_JSON },
          },
        },
      },
    },
    async handler(_req, res) {
      const { running, archive } = await contests.listContests(ctx.db);
      res.json({ running: running.map(json), archive: archive.map(json) });
    },
  });

  api.add({
    method: "get",
    path: "/tutorial-contests/:id",
    summary: "A contest and its entries; vote counts once the vote has closed",
    tags: ["tutorials"],
    auth: "optional",
    responses: {
      200: {
        description: "The contest",
        schema: {
          type: "object",
          properties: {
            contest: CONTEST_JSON,
            entries: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  tutorial: { type: "string" },
                  title: { type: "string" },
                  votes: { type: ["integer", "null"] },
                },
              },
            },
            myVote: { type: ["string", "null"] },
          },
        },
      },
    },
    async handler(req, res) {
      const contest = await found(req);
      const closed = contests.phaseOf(contest) === "closed";
      const { list, myVote } = await contests.entries(ctx.db, contest, req.apiUser);
      res.json({
        contest: json(contest),
        entries: list.map((e) => ({
          tutorial: e.id,
          title: e.title,
          votes: closed ? e.votes : null,
        })),
        myVote: myVote ?? null,
      });
    },
  });

  api.add<{ tutorial: string }>({
    method: "post",
    path: "/tutorial-contests/:id/entries",
    summary: "Enter one of my published tutorials while entries are open",
    tags: ["tutorials"],
    auth: "user",
    body: TUTORIAL_BODY,
    responses: {
      204: { description: "Entered" },
      422: { description: "Refused, with the reason" },
    },
    async handler(req, res) {
      const done = await contests.enter(ctx.db, await found(req), req.apiUser!, req.body.tutorial);
      if (!done.ok)
        throw new HttpError(422, `tutorials:contests.errors.${done.error}`, { detail: done.error });
      res.status(204).end();
    },
  });

  api.add<{ tutorial: string }>({
    method: "post",
    path: "/tutorial-contests/:id/votes",
    summary: "Vote for an entry: once per contest, not for my own, before the close date",
    tags: ["tutorials"],
    auth: "user",
    body: TUTORIAL_BODY,
    responses: {
      204: { description: "Vote recorded" },
      409: { description: "Already voted in this contest" },
      422: { description: "Refused (own entry, not entered, vote not open)" },
    },
    async handler(req, res) {
      const done = await contests.vote(ctx.db, await found(req), req.apiUser!, req.body.tutorial);
      if (!done.ok)
        throw new HttpError(
          done.error === "already_voted" ? 409 : 422,
          `tutorials:contests.errors.${done.error}`,
          { detail: done.error },
        );
      res.status(204).end();
    },
  });
}
