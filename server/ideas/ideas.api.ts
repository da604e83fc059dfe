// The idea box in the JSON API: the list, proposing an idea, supporting one.
import type { ApiRegistry } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import * as ideas from "./ideas.service.ts";
import { IDEA_CATEGORIES, type IdeaCategory } from "./ideas.tables.ts";

const IDEA = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    category: { type: "string", enum: [...IDEA_CATEGORIES] },
    title: { type: "string" },
    body: { type: "string" },
    status: { type: "string", enum: ["open", "studying", "accepted", "done", "declined"] },
    supports: { type: "integer" },
    awaitingAnswer: { type: "boolean", description: "Open and past the support threshold" },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

export function ideasApi(api: ApiRegistry, ctx: AppContext): void {
  const limit = () => ideas.threshold(ctx.modules.settings("ideas"));
  const json = (i: Awaited<ReturnType<typeof ideas.listIdeas>>[number]) => ({
    id: i.id,
    category: i.category,
    title: i.title,
    body: i.body,
    status: i.status,
    supports: i.supports,
    awaitingAnswer: i.status === "open" && i.supports >= limit(),
    createdAt: i.created_at.toISOString(),
  });

  api.add<unknown, { category?: IdeaCategory }>({
    method: "get",
    path: "/ideas",
    summary: "Ideas of the idea box, most supported first",
    tags: ["ideas"],
    auth: "optional",
    query: { properties: { category: { type: "string", enum: [...IDEA_CATEGORIES] } } },
    responses: { 200: { description: "Ideas", schema: { type: "array", items: IDEA } } },
    async handler(req, res) {
      const category = req.validQuery.category;
      res.json((await ideas.listIdeas(ctx.db, category ? { category } : {})).map(json));
    },
  });

  api.add<{ category: string; title: string; body: string }>({
    method: "post",
    path: "/ideas",
    summary: "Propose an idea",
    tags: ["ideas"],
    auth: "user",
    body: {
      type: "object",
      required: ["category", "title", "body"],
      additionalProperties: false,
      properties: {
        category: { type: "string", enum: [...IDEA_CATEGORIES] },
        title: { type: "string", minLength: 3, maxLength: 150 },
        body: { type: "string", minLength: 10, maxLength: 5000 },
      },
    },
    responses: { 201: { description: "The idea", schema: IDEA }, 422: { description: "Invalid" } },
    async handler(req, res) {
      const created = await ideas.propose(ctx.db, req.apiUser!.id, req.body);
      if (!created.ok)
        throw new HttpError(422, "errors.validation", {
          fields: created.details!.problems as FieldError[],
        });
      const idea = await ideas.findIdea(ctx.db, created.value.id);
      res.status(201).json(json(idea!));
    },
  });

  api.add({
    method: "post",
    path: "/ideas/:id/supports",
    summary: "Support an idea (once; not one's own)",
    tags: ["ideas"],
    auth: "user",
    responses: {
      201: {
        description: "Supported",
        schema: { type: "object", properties: { supports: { type: "integer" } } },
      },
      404: { description: "No such idea" },
      409: { description: "Already supported, one's own idea, or answered" },
    },
    async handler(req, res) {
      const idea = await ideas.findIdea(ctx.db, String(req.params.id));
      if (!idea || idea.removed_reason !== null) throw new HttpError(404, "errors.notFound");
      const done = await ctx.transaction((tx) => ideas.support(tx, idea, req.apiUser!.id));
      if (!done.ok)
        throw new HttpError(409, `ideas:errors.support.${done.error}`, { detail: done.error });
      res.status(201).json(done.value);
    },
  });
}
