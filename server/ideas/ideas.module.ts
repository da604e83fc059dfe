// The idea box (issue 13): members propose ideas, support them and discuss them; past the
// admin's threshold an idea gets an official answer. No menu entry of its own: it is reached
// from the participation page, whose slot it fills. ADR 0135.
import type { Module } from "../modules/module.ts";
import { ideasApi } from "./ideas.api.ts";
import { ideaRoutes } from "./ideas.routes.ts";
import { DEFAULT_THRESHOLD, listIdeas, threshold } from "./ideas.service.ts";

export const ideasModule: Module = {
  name: "ideas",
  styles: ["/static/participation.css"],
  settings: {
    schema: {
      type: "object",
      additionalProperties: false,
      properties: {
        threshold: {
          type: "integer",
          title: "ideas:settings.threshold",
          description: "ideas:settings.thresholdHint",
          default: DEFAULT_THRESHOLD,
          minimum: 1,
          maximum: 100000,
        },
      },
    },
  },
  slots: {
    "participation.home": async (_req, ctx) => {
      const top = await listIdeas(ctx.db, { limit: 3 });
      return {
        partial: "ideas/participation",
        locals: { ideas: top, threshold: threshold(ctx.modules.settings("ideas")) },
      };
    },
  },
  routes: ideaRoutes,
  api: ideasApi,
};
