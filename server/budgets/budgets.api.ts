// Participatory budgets in the JSON API: the list, a budget's projects, voting, the results. Each
// budget says its audience (this instance's members, or the network's: ADR 0136); the network's
// budgets this instance received from their organiser are in network.api.ts.
import type { ApiRegistry } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import * as budgets from "./budgets.service.ts";

const PROJECT = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    title: { type: "string" },
    description: { type: "string" },
    cost: { type: "integer", description: "euros" },
    status: { type: "string", enum: ["submitted", "accepted", "rejected"] },
    rejectionReason: { type: ["string", "null"] },
  },
} as const;

const AUDIENCE = {
  type: "string",
  enum: ["instance", "network"],
  description: "who votes: this instance's members, or the network's (published to it)",
} as const;

const BUDGET = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    title: { type: "string" },
    envelope: { type: "integer" },
    rule: { type: "string", enum: ["knapsack", "approval"] },
    audience: AUDIENCE,
    phase: { type: "string", enum: [...budgets.PHASES] },
    voteOpensAt: { type: "string", format: "date-time" },
    voteClosesAt: { type: "string", format: "date-time" },
  },
} as const;

export function budgetsApi(api: ApiRegistry, ctx: AppContext): void {
  const budgetOf = async (id: string) => {
    const budget = await budgets.findBudget(ctx.db, id);
    if (!budget) throw new HttpError(404, "errors.notFound");
    return budget;
  };

  api.add({
    method: "get",
    path: "/budgets",
    summary: "This instance's participatory budgets, latest vote close first, with their audience",
    tags: ["budgets"],
    auth: "optional",
    responses: {
      200: {
        description: "The budgets (without their projects)",
        schema: { type: "object", properties: { items: { type: "array", items: BUDGET } } },
      },
    },
    async handler(_req, res) {
      res.json({
        items: (await budgets.listBudgets(ctx.db)).map((b) => ({
          id: b.id,
          title: b.title,
          envelope: b.envelope,
          rule: b.rule,
          audience: b.audience,
          phase: budgets.phaseOf(b),
          voteOpensAt: b.vote_open_at.toISOString(),
          voteClosesAt: b.vote_close_at.toISOString(),
        })),
      });
    },
  });

  api.add({
    method: "get",
    path: "/budgets/:id/projects",
    summary: "A participatory budget with its phase, rule and public projects",
    tags: ["budgets"],
    auth: "optional",
    responses: {
      200: {
        description: "The budget and its projects (those under review are not listed)",
        schema: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            title: { type: "string" },
            envelope: { type: "integer" },
            rule: { type: "string", enum: ["knapsack", "approval"] },
            audience: AUDIENCE,
            phase: { type: "string", enum: [...budgets.PHASES] },
            projects: { type: "array", items: PROJECT },
          },
        },
      },
      404: { description: "No such budget" },
    },
    async handler(req, res) {
      const budget = await budgetOf(String(req.params.id));
      const projects = (await budgets.listProjects(ctx.db, budget.id)).filter(
        (p) => p.status !== "submitted",
      );
      res.json({
        id: budget.id,
        title: budget.title,
        envelope: budget.envelope,
        rule: budget.rule,
        audience: budget.audience,
        phase: budgets.phaseOf(budget),
        projects: projects.map((p) => ({
          id: p.id,
          title: p.title,
          description: p.description,
          cost: p.cost,
          status: p.status,
          rejectionReason: p.rejection_reason,
        })),
      });
    },
  });

  api.add<{ projects: string[] }>({
    method: "post",
    path: "/budgets/:id/ballots",
    summary: "Cast my secret ballot (once); a knapsack ballot must fit the envelope",
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
          items: { type: "string", format: "uuid" },
        },
      },
    },
    responses: {
      201: {
        description: "Recorded (without the voter)",
        schema: { type: "object", properties: { total: { type: "integer" } } },
      },
      409: { description: "Vote not open, or already voted" },
      422: { description: "Empty, unknown project, or over the envelope" },
    },
    async handler(req, res) {
      const budget = await budgetOf(String(req.params.id));
      const done = await ctx.transaction((tx) =>
        budgets.vote(tx, budget, req.apiUser!.id, req.body.projects),
      );
      if (!done.ok) {
        const status = done.error === "closed" || done.error === "already" ? 409 : 422;
        throw new HttpError(status, `budgets:errors.ballot.${done.error}`, { detail: done.error });
      }
      res.status(201).json(done.value);
    },
  });

  api.add({
    method: "get",
    path: "/budgets/:id/results",
    summary: "Results once the vote is closed: every count and the winners by the published rule",
    tags: ["budgets"],
    auth: "optional",
    responses: {
      200: {
        description: "Projects in rank order (votes, then lower cost, then earlier submission)",
        schema: {
          type: "object",
          properties: {
            rule: { type: "string" },
            envelope: { type: "integer" },
            ballots: {
              type: "object",
              properties: { online: { type: "integer" }, paper: { type: "integer" } },
            },
            spent: { type: "integer" },
            projects: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  id: { type: "string", format: "uuid" },
                  title: { type: "string" },
                  cost: { type: "integer" },
                  online: { type: "integer" },
                  paper: { type: "integer" },
                  votes: { type: "integer" },
                  rank: { type: "integer" },
                  funded: { type: "boolean" },
                },
              },
            },
          },
        },
      },
      404: { description: "No such budget, or the vote is not closed" },
    },
    async handler(req, res) {
      const budget = await budgetOf(String(req.params.id));
      if (budgets.phaseOf(budget) !== "results")
        throw new HttpError(404, "budgets:errors.noResultsYet");
      const r = await budgets.results(ctx.db, budget);
      res.json({
        rule: budget.rule,
        envelope: budget.envelope,
        ballots: { online: r.online, paper: r.paper },
        spent: r.spent,
        projects: r.projects.map((p) => ({
          id: p.id,
          title: p.title,
          cost: p.cost,
          online: p.online,
          paper: p.paper,
          votes: p.votes,
          rank: p.rank,
          funded: p.funded,
        })),
      });
    },
  });
}
