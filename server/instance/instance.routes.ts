import type express from "express";
import type { AppContext } from "../context.ts";
import { isLanguage } from "../i18n/i18n.ts";
import { HttpError } from "../http/errors.ts";
import { readLogo } from "./instance.repo.ts";
import { contrastRatio } from "./instance.service.ts";

/** Darkens a #rrggbb colour, for hover and focus states. */
function shade(hex: string, factor: number): string {
  const channels = [1, 3, 5].map((i) =>
    Math.round(Number.parseInt(hex.slice(i, i + 2), 16) * factor),
  );
  return `#${channels.map((c) => Math.max(0, Math.min(255, c)).toString(16).padStart(2, "0")).join("")}`;
}

export function instancePublicRoutes(router: express.Router, ctx: AppContext): void {
  // The accent colour is the only per-instance style; serving it as a stylesheet keeps the
  // Content-Security-Policy free of inline styles.
  // Pages link it with the settings' version (`?v=`): that address is kept for a year, since a
  // change of colour gives a new one; another version or none is kept a minute only.
  router.get("/theme.css", async (req, res) => {
    const settings = await ctx.settings.get();
    const { accentColor } = settings;
    const dark = shade(accentColor, 0.8);
    const text = contrastRatio(accentColor, "#ffffff") >= 4.5 ? "#ffffff" : "#111111";
    const current = req.query.v === String(settings.updatedAt.getTime());
    res
      .type("text/css")
      .set("Cache-Control", current ? "public, max-age=31536000, immutable" : "public, max-age=60")
      .send(`:root{--accent:${accentColor};--accent-dark:${dark};--on-accent:${text}}\n`);
  });

  router.get("/instance/logo", async (_req, res) => {
    const logo = await readLogo(ctx.db);
    if (!logo) throw new HttpError(404, "errors.notFound");
    res.type(logo.type).set("Cache-Control", "public, max-age=300").send(logo.data);
  });

  // A plain link switches language, so it works without JavaScript and without a session.
  router.get("/lang/:lang", (req, res) => {
    const lang = req.params.lang;
    if (!isLanguage(lang)) throw new HttpError(404, "errors.notFound");
    const next =
      typeof req.query.next === "string" && /^\/(?!\/)/.test(req.query.next) ? req.query.next : "/";
    res.cookie("lang", lang, {
      maxAge: 365 * 24 * 3600_000,
      sameSite: "lax",
      httpOnly: true,
      secure: ctx.config.publicUrl.protocol === "https:",
    });
    res.redirect(303, next);
  });
}

export function instanceRoutes(router: express.Router, _ctx: AppContext): void {
  router.get("/", (req, res) => {
    res.render("instance/home", { title: undefined, home: true });
  });
}
