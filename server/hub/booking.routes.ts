// "Réserver" on the hub (ADR 0121): the hub never takes registrations. It asks the member once
// which CMCAS they belong to (a form, so it works without JavaScript), remembers the answer in a
// cookie of this browser, and sends them to their own instance's page for the remote offer, where
// the cross-instance booking runs (after signing in there if needed).
import type express from "express";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { handlers } from "../http/handlers.ts";
import { renderForm } from "../http/forms.ts";
import { isUuid } from "../offers/offers.repo.ts";

export const HOME_COOKIE = "maillage_hub_home";
const YEAR_MS = 365 * 86_400_000;

interface Home {
  host: string;
  name: string;
  origin: string;
}

/** The accepted members, where a member of the public may say they belong. */
async function homes(ctx: AppContext): Promise<Home[]> {
  const rows = await ctx.db
    .selectFrom("hub_members")
    .select(["host", "name", "actor_uri"])
    .where("state", "=", "accepted")
    .orderBy("name")
    .execute();
  return rows.map((r) => ({ host: r.host, name: r.name, origin: new URL(r.actor_uri).origin }));
}

function cookieOf(req: express.Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/** The member's own instance's page that finds (or fetches) the remote offer and shows it. */
const landing = (home: Home, eventUri: string) =>
  `${home.origin}/hub/offer?uri=${encodeURIComponent(eventUri)}`;

export function bookingRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);

  const offerOf = async (req: express.Request) => {
    const id = String(req.params.id);
    const offer = isUuid(id)
      ? await ctx.db
          .selectFrom("offers")
          .select(["id", "title", "remote_uri"])
          .where("id", "=", id)
          .where("status", "=", "published")
          .executeTakeFirst()
      : undefined;
    if (!offer) throw new HttpError(404, "errors.notFound");
    return offer;
  };

  router.get(
    "/hub/book/:id",
    on(async (ctx, req, res) => {
      const offer = await offerOf(req);
      // The hub's own offers are booked here, as on any instance.
      if (!offer.remote_uri) return res.redirect(303, `/offers/${offer.id}`);
      const all = await homes(ctx);
      const remembered = all.find((h) => h.host === cookieOf(req, HOME_COOKIE));
      if (remembered && req.query.change === undefined)
        return res.redirect(303, landing(remembered, offer.remote_uri));
      renderForm(res, "hub/book", ctx.i18n, req, {
        title: req.t("hub:book.title"),
        offer,
        homes: all.map((h) => ({ ...h, selected: h.host === remembered?.host })),
      });
    }),
  );

  router.post(
    "/hub/book/:id",
    on(async (ctx, req, res) => {
      const offer = await offerOf(req);
      if (!offer.remote_uri) return res.redirect(303, `/offers/${offer.id}`);
      const body = req.body as { home?: unknown; remember?: unknown };
      const all = await homes(ctx);
      const home = all.find((h) => h.host === body.home);
      if (!home)
        return renderForm(res, "hub/book", ctx.i18n, req, {
          title: req.t("hub:book.title"),
          offer,
          homes: all,
          errors: [{ field: "home", key: "hub:book.errors.home" }],
        });
      if (body.remember === "1")
        res.cookie(HOME_COOKIE, home.host, {
          maxAge: YEAR_MS,
          httpOnly: true,
          sameSite: "lax",
          secure: ctx.config.publicUrl.protocol === "https:",
        });
      res.redirect(303, landing(home, offer.remote_uri));
    }),
  );
}
