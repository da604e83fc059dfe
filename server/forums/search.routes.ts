import type express from "express";
import type { AppContext } from "../context.ts";
import { pageOfPosition, pageParam, pager, RESULTS_PER_PAGE } from "./paging.ts";
import { searchPosts, snippetHtml } from "./search.repo.ts";

export const QUERY_MAX = 200;

export function searchRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/forums/search", async (req, res) => {
    const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, QUERY_MAX) : "";
    const page = pageParam(req.query.page);
    const found = q
      ? await searchPosts(ctx.db, req.user, q, {
          limit: RESULTS_PER_PAGE,
          offset: (page - 1) * RESULTS_PER_PAGE,
        })
      : undefined;
    res.render("forums/search", {
      title: q ? req.t("forums:search.titleFor", { q }) : req.t("forums:search.title"),
      q,
      searched: found !== undefined,
      total: found?.total ?? 0,
      results: found?.items.map((hit) => ({
        ...hit,
        snippet: snippetHtml(hit.snippet),
        page: pageOfPosition(hit.position),
      })),
      pager: found ? pager(found.total, page, RESULTS_PER_PAGE) : undefined,
      query: encodeURIComponent(q),
    });
  });
}
