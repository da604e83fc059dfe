// Atom feeds of public tutorials: all of them, per category and per author. Mounted before the
// session (feed readers carry no cookie), so they list public, published tutorials only.
import type express from "express";
import { Feed } from "feed";
import type { AppContext } from "../context.ts";
import { findUserByUsername } from "../accounts/accounts.repo.ts";
import { HttpError } from "../http/errors.ts";
import { translate } from "../i18n/i18n.ts";
import * as repo from "./tutorials.repo.ts";

async function atom(
  ctx: AppContext,
  path: string,
  title: string,
  filter: repo.ListFilter,
): Promise<string> {
  const instance = await ctx.settings.get();
  const base = ctx.config.publicUrl;
  const { items } = await repo.listTutorials(ctx.db, undefined, { ...filter, limit: 50 });
  const feed = new Feed({
    id: new URL(path, base).href,
    title: `${instance.name} — ${title}`,
    link: new URL("/tutorials", base).href,
    language: "fr",
    updated: items.reduce<Date>((l, t) => (t.updatedAt > l ? t.updatedAt : l), new Date(0)),
    copyright: instance.name,
    feedLinks: { atom: new URL(path, base).href },
  });
  for (const t of items) {
    const link = new URL(`/tutorials/${t.id}`, base).href;
    const steps = await repo.listSteps(ctx.db, t.id);
    feed.addItem({
      id: link,
      link,
      title: t.title,
      date: t.updatedAt,
      published: t.publishedAt ?? t.createdAt,
      description: t.summary,
      content: steps
        .map((s) => `<h2>${s.position}. ${escape(s.title)}</h2>${s.contentHtml}`)
        .join(""),
      author: t.authorName ? [{ name: t.authorName }] : [],
      category: [{ name: t.categoryFr }],
    });
  }
  return feed.atom1();
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function feedRoutes(router: express.Router, ctx: AppContext): void {
  const t = (key: string, values?: Record<string, unknown>) =>
    translate(ctx.i18n, "fr", key, values);
  const send = (res: express.Response, body: string) =>
    res
      .type("application/atom+xml; charset=utf-8")
      .set("Cache-Control", "public, max-age=300")
      .send(body);

  router.get("/tutorials/feeds/all.atom", async (_req, res) => {
    send(res, await atom(ctx, "/tutorials/feeds/all.atom", t("tutorials:nav"), {}));
  });

  router.get("/tutorials/feeds/category/:slug.atom", async (req, res) => {
    const category = (await repo.listCategories(ctx.db, true)).find(
      (c) => c.slug === String(req.params.slug),
    );
    if (!category) throw new HttpError(404, "errors.notFound");
    const path = `/tutorials/feeds/category/${category.slug}.atom`;
    send(
      res,
      await atom(ctx, path, t("tutorials:feeds.category", { category: category.nameFr }), {
        category: category.slug,
      }),
    );
  });

  router.get("/tutorials/feeds/author/:username.atom", async (req, res) => {
    const author = await findUserByUsername(ctx.db, String(req.params.username).toLowerCase());
    if (!author) throw new HttpError(404, "errors.notFound");
    const path = `/tutorials/feeds/author/${author.username}.atom`;
    send(
      res,
      await atom(ctx, path, t("tutorials:feeds.author", { name: author.displayName }), {
        authorId: author.id,
      }),
    );
  });
}
