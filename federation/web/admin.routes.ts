// Administration of federation: which instances we federate with, what the CMCAS follows, and
// the state of deliveries per instance with a retry action.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { requireRole } from "../../server/http/auth.ts";
import { HttpError, type FieldError } from "../../server/http/errors.ts";
import { flash, parseForm, renderForm } from "../../server/http/forms.ts";
import { compileForm } from "../../server/http/validate.ts";
import { countFollows } from "../follows/follows.repo.ts";
import { followTarget, unfollowById, visibleFollows } from "../follows/follows.service.ts";
import { normalizeDomain } from "../policy.ts";
import type { FederationRuntime } from "../deps.ts";
import { CMCAS_ACTOR, actorUri, handleOf } from "../uris.ts";
import {
  domainOnlySchema,
  domainSchema,
  followSchema,
  type DomainForm,
  type FollowForm,
} from "./federation.schemas.ts";

const validateDomain = compileForm<DomainForm>(domainSchema);
const validateDomainOnly = compileForm<{ domain: string }>(domainOnlySchema);
const validateFollow = compileForm<FollowForm>(followSchema);

export function federationAdminRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
): void {
  const admin = requireRole("admin");

  const page = async (
    req: express.Request,
    res: express.Response,
    values: object = { policy: "allow" },
    errors: FieldError[] = [],
  ) => {
    renderForm(res, "federation/admin", ctx.i18n, req, {
      title: req.t("federation:admin.title"),
      section: "federation",
      mode: runtime.policy.mode,
      domains: await runtime.policy.list(),
      cmcasHandle: handleOf(CMCAS_ACTOR, actorUri(ctx.config.publicUrl, CMCAS_ACTOR)),
      follows: await visibleFollows(runtime, CMCAS_ACTOR),
      followers: await countFollows(ctx.db, CMCAS_ACTOR, "incoming"),
      values,
      errors,
    });
  };

  router.get("/admin/federation", admin, (req, res) => page(req, res));

  router.post("/admin/federation/domains", admin, async (req, res) => {
    const form = parseForm(validateDomain, req.body);
    const domain = form.ok ? normalizeDomain(form.value.domain) : undefined;
    if (!form.ok || !domain) {
      const errors = form.ok ? [] : form.errors.filter((e) => e.field !== "domain");
      errors.push({ field: "domain", key: "federation:admin.errors.domain" });
      return page(req, res, req.body as object, errors);
    }
    await runtime.policy.set(domain, form.value.policy, req.user!.id);
    flash(req, "federation:admin.saved", { domain });
    res.redirect(303, "/admin/federation");
  });

  router.post("/admin/federation/domains/delete", admin, async (req, res) => {
    const form = parseForm(validateDomainOnly, req.body);
    const domain = form.ok ? normalizeDomain(form.value.domain) : undefined;
    if (!domain || !(await runtime.policy.remove(domain)))
      throw new HttpError(404, "errors.notFound");
    flash(req, "federation:admin.removed", { domain });
    res.redirect(303, "/admin/federation");
  });

  router.post("/admin/federation/follows", admin, async (req, res) => {
    const form = parseForm(validateFollow, req.body);
    if (!form.ok) return page(req, res, req.body as object, form.errors);
    const result = await followTarget(runtime, CMCAS_ACTOR, form.value.target);
    if (!result.ok) {
      return page(req, res, form.value, [
        { field: "target", key: `federation:follows.errors.${result.error}` },
      ]);
    }
    flash(req, "federation:follows.followed", { handle: result.value.remote.handle });
    res.redirect(303, "/admin/federation");
  });

  router.post("/admin/federation/follows/:id/delete", admin, async (req, res) => {
    const id = Number.parseInt(String(req.params.id), 10);
    const done = Number.isSafeInteger(id)
      ? await unfollowById(runtime, CMCAS_ACTOR, id)
      : undefined;
    if (!done) throw new HttpError(404, "errors.notFound");
    flash(req, "federation:follows.unfollowed", { handle: done.remote.handle });
    res.redirect(303, "/admin/federation");
  });

  router.get("/admin/federation/deliveries", admin, async (req, res) => {
    res.render("federation/deliveries", {
      title: req.t("federation:deliveries.title"),
      section: "deliveries",
      hosts: await runtime.deliveries.summary(),
    });
  });

  router.post("/admin/federation/deliveries/retry", admin, async (req, res) => {
    const form = parseForm(validateDomainOnly, req.body);
    const host = form.ok ? normalizeDomain(form.value.domain) : undefined;
    if (!host) throw new HttpError(400, "federation:admin.errors.domain");
    const count = await runtime.deliveries.retryHost(host);
    flash(req, "federation:deliveries.retried", { count, host });
    res.redirect(303, "/admin/federation/deliveries");
  });
}
