// Pages of the network: on the hub, its members and the admin's decisions, and the signed list;
// on every instance, the page where its admin asks a hub to join and chooses to trust its list.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { requireRole } from "../../server/http/auth.ts";
import { HttpError, type FieldError } from "../../server/http/errors.ts";
import { flash, parseForm, renderForm } from "../../server/http/forms.ts";
import { compileForm } from "../../server/http/validate.ts";
import type { FederationRuntime } from "../deps.ts";
import { readLink, requestJoin, setTrust, syncNetworkList } from "./link.ts";
import { decide, listMembers, networkDocument, NETWORK_PATH, type Decision } from "./network.ts";
import { aggregationProgress } from "./aggregation.ts";
import { relayState, subscribeToRelay } from "./relay.ts";
import { collectShared, setSharing, sharing } from "./shared.ts";

interface JoinForm {
  hubUrl: string;
}
const validateJoin = compileForm<JoinForm>({
  type: "object",
  required: ["hubUrl"],
  properties: { hubUrl: { type: "string", minLength: 8, maxLength: 300 } },
});
const DECISIONS = new Set<Decision>(["accept", "suspend", "remove"]);

/** The signed list is public: every member, and anyone checking the network, reads it. */
export function hubPublicRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
) {
  if (!ctx.config.hub) return;
  router.get(NETWORK_PATH, async (_req, res) => {
    const document = await networkDocument(runtime);
    res
      .type("application/activity+json")
      .set("cache-control", "public, max-age=60")
      .send(JSON.stringify(document));
  });
}

export function hubAdminRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
) {
  const admin = requireRole("admin");

  const networkPage = async (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) => {
    const link = await readLink(runtime);
    renderForm(res, "hub/network", ctx.i18n, req, {
      title: req.t("hub:network.title"),
      section: "network",
      link,
      listAgeHours: link?.listFetchedAt
        ? Math.floor((Date.now() - link.listFetchedAt.getTime()) / 3_600_000)
        : null,
      relay: link ? await relayState(runtime, link.hubUrl) : undefined,
      sharing: await sharing(runtime),
      values: { hubUrl: link?.hubUrl ?? "", ...values },
      errors,
    });
  };

  router.get("/admin/network", admin, (req, res) => networkPage(req, res));

  router.post("/admin/network/join", admin, async (req, res) => {
    const form = parseForm(validateJoin, req.body);
    let url: URL | undefined;
    try {
      url = form.ok ? new URL(form.value.hubUrl.trim()) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.host === ctx.config.publicUrl.host)
      return networkPage(req, res, req.body as object, [
        { field: "hubUrl", key: "hub:network.errors.hubUrl" },
      ]);
    await requestJoin(runtime, url);
    flash(req, "hub:network.requested", { host: url.host });
    res.redirect(303, "/admin/network");
  });

  router.post("/admin/network/relay", admin, async (req, res) => {
    const link = await readLink(runtime);
    if (!link) throw new HttpError(404, "errors.notFound");
    await runtime.policy.allowForNetwork(link.hubHost);
    const found = await subscribeToRelay(runtime, new URL(link.hubUrl));
    if (found.ok) flash(req, "hub:network.relayAsked", { host: link.hubHost });
    else flash(req, "hub:network.relayFailed", { host: link.hubHost });
    res.redirect(303, "/admin/network");
  });

  router.post("/admin/network/trust", admin, async (req, res) => {
    const trust = (req.body as { trust?: unknown }).trust === "1";
    if (!(await setTrust(runtime, trust))) throw new HttpError(404, "errors.notFound");
    if (trust) await syncNetworkList(runtime);
    flash(req, trust ? "hub:network.trusted" : "hub:network.untrusted");
    res.redirect(303, "/admin/network");
  });

  // The admin's consent to share the monthly aggregates with the hub (off until given).
  router.post("/admin/network/share", admin, async (req, res) => {
    const share = (req.body as { share?: unknown }).share === "1";
    if (!(await setSharing(runtime, share))) throw new HttpError(404, "errors.notFound");
    flash(req, share ? "hub:network.sharing" : "hub:network.notSharing");
    res.redirect(303, "/admin/network");
  });

  router.post("/admin/network/refresh", admin, async (req, res) => {
    const outcome = await syncNetworkList(runtime);
    if (outcome.ok) flash(req, "hub:network.refreshed", { count: outcome.members.length });
    else flash(req, "hub:network.refreshFailed", { error: outcome.error });
    res.redirect(303, "/admin/network");
  });

  if (!ctx.config.hub) return;

  router.get("/admin/hub", admin, async (req, res) => {
    const members = await listMembers(runtime);
    const progress = await aggregationProgress(runtime, members);
    res.render("hub/members", {
      title: req.t("hub:members.title"),
      section: "hub",
      members: members.map((m) => ({ ...m, progress: progress.get(m.host) })),
      networkUrl: NETWORK_PATH,
    });
  });

  router.post("/admin/hub/collect", admin, async (req, res) => {
    const outcomes = await collectShared(runtime);
    flash(req, "hub:members.collected", { count: outcomes.filter((o) => o.ok).length });
    res.redirect(303, "/admin/hub");
  });

  router.post("/admin/hub/members/:host/:decision", admin, async (req, res) => {
    const decision = String(req.params.decision) as Decision;
    const host = String(req.params.host).toLowerCase();
    if (!DECISIONS.has(decision)) throw new HttpError(404, "errors.notFound");
    if (!(await decide(runtime, host, decision))) throw new HttpError(404, "errors.notFound");
    flash(req, `hub:members.done.${decision}`, { host });
    res.redirect(303, "/admin/hub");
  });
}
