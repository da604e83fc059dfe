// Network participatory budgets in the JSON API (ADR 0136, 0137), on a member instance: the
// budgets the organiser (often the hub) published, as this instance keeps them, with the results
// once published; a member votes here as on the page, and this instance sends the vote (only
// that they voted is kept here). The budget's own audience is in budgets.api.ts.
import type { ApiRegistry } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import * as remote from "./remote.service.ts";

const NETWORK_BUDGET = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid", description: "this instance's id" },
    uri: { type: "string", description: "the organiser's Question id" },
    url: { type: "string", description: "the budget's page at the organiser" },
    audience: { type: "string", enum: ["network"] },
    territory: { type: "string", description: "the organiser's name" },
    title: { type: "string" },
    description: { type: "string" },
    envelope: { type: "integer", description: "euros" },
    rule: { type: "string", enum: ["knapsack", "approval"] },
    open: { type: "boolean" },
    closed: { type: "boolean" },
    voteOpensAt: { type: "string", format: "date-time" },
    voteClosesAt: { type: "string", format: "date-time" },
    projects: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string", description: "the organiser's id" },
          title: { type: "string" },
          cost: { type: "integer" },
          url: { type: "string" },
        },
      },
    },
    results: {
      type: ["object", "null"],
      description: "every count the organiser published at the vote's close",
      properties: {
        ballots: { type: "integer" },
        byChannel: {
          type: "object",
          properties: {
            online: { type: "integer" },
            paper: { type: "integer" },
            network: { type: "integer" },
          },
        },
        byInstance: {
          type: "array",
          items: {
            type: "object",
            properties: { host: { type: "string" }, ballots: { type: "integer" } },
          },
        },
        projects: {
          type: "array",
          items: {
            type: "object",
            properties: {
              id: { type: "string" },
              votes: { type: "integer" },
              rank: { type: "integer" },
              funded: { type: "boolean" },
            },
          },
        },
      },
    },
  },
} as const;

const json = (rb: remote.RemoteBudget) => ({
  id: rb.id,
  uri: rb.uri,
  url: rb.url,
  audience: "network" as const,
  territory: rb.territory,
  title: rb.title,
  description: rb.description,
  envelope: rb.envelope,
  rule: rb.rule,
  open: remote.remoteOpen(rb),
  closed: rb.closed,
  voteOpensAt: rb.startsAt.toISOString(),
  voteClosesAt: rb.endsAt.toISOString(),
  projects: rb.projects,
  results: rb.results,
});

export function budgetsNetworkApi(api: ApiRegistry, ctx: AppContext): void {
  const found = async (id: string) => {
    const rb = await remote.findRemote(ctx.db, id);
    if (!rb) throw new HttpError(404, "errors.notFound");
    return rb;
  };

  api.add({
    method: "get",
    path: "/budgets/network",
    summary: "Participatory budgets of the network this instance received, latest close first",
    tags: ["budgets"],
    auth: "optional",
    responses: {
      200: {
        description: "The network's budgets, with their projects and published results",
        schema: { type: "object", properties: { items: { type: "array", items: NETWORK_BUDGET } } },
      },
    },
    async handler(_req, res) {
      res.json({ items: (await remote.listRemote(ctx.db)).map(json) });
    },
  });

  api.add({
    method: "get",
    path: "/budgets/network/:id",
    summary: "A network budget, and whether I voted (and whether the organiser refused it)",
    tags: ["budgets"],
    auth: "optional",
    responses: {
      200: {
        description: "The budget",
        schema: {
          type: "object",
          properties: {
            budget: NETWORK_BUDGET,
            voted: { type: ["boolean", "null"] },
            refused: { type: ["string", "null"], description: "the organiser's reason" },
          },
        },
      },
      404: { description: "No such budget" },
    },
    async handler(req, res) {
      const rb = await found(String(req.params.id));
      const took = req.apiUser ? await remote.participation(ctx.db, rb.id, req.apiUser.id) : null;
      res.json({
        budget: json(rb),
        voted: req.apiUser ? took !== undefined : null,
        refused: took?.refused ?? null,
      });
    },
  });

  api.add<{ projects: string[] }>({
    method: "post",
    path: "/budgets/network/:id/ballots",
    summary: "Vote on a network budget (once): sent to the organiser with a token, not my name",
    tags: ["budgets"],
    auth: "user",
    body: {
      type: "object",
      required: ["projects"],
      additionalProperties: false,
      properties: {
        projects: {
          type: "array",
          minItems: 1,
          maxItems: 500,
          items: { type: "string", maxLength: 100 },
          description: "the organiser's ids of the chosen projects",
        },
      },
    },
    responses: {
      202: {
        description: "Sent to the organiser, who counts it (or refuses it, with a reason)",
        schema: { type: "object", properties: { total: { type: "integer" } } },
      },
      409: { description: "Vote not open, or already voted" },
      422: { description: "Empty, unknown project, or over the envelope" },
      503: { description: "Federation is not active on this instance" },
    },
    async handler(req, res) {
      const rb = await found(String(req.params.id));
      const done = await ctx.transaction((tx) =>
        remote.voteRemote(tx, rb, req.apiUser!, req.body.projects, ctx.ports.budgets),
      );
      if (!done.ok) {
        const status =
          done.error === "not_open" || done.error === "already_voted"
            ? 409
            : done.error === "no_federation"
              ? 503
              : 422;
        const key =
          status === 422
            ? `budgets:errors.ballot.${done.error}`
            : `budgets:network.errors.${done.error}`;
        throw new HttpError(status, key, { detail: done.error });
      }
      res.status(202).json(done.value);
    },
  });
}
