// JSON API of federation: follows (members, and admins for the CMCAS), the domain policy and
// the state of deliveries per instance (admins).
import type { ApiRegistry } from "../../server/api/api-registry.ts";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import type { FederationRuntime } from "../deps.ts";
import {
  followTarget,
  unfollowById,
  visibleFollows,
  type FollowTargetError,
} from "../follows/follows.service.ts";
import type { FollowWithActor } from "../follows/follows.repo.ts";
import { normalizeDomain } from "../policy.ts";
import { notesOf } from "../notes/notes.repo.ts";
import { CMCAS_ACTOR } from "../uris.ts";
import {
  DOMAIN_SCHEMA,
  domainOnlySchema,
  domainSchema,
  FOLLOW_SCHEMA,
  followApiSchema,
  type DomainForm,
  type FollowApiBody,
} from "./federation.schemas.ts";

const FOLLOW_STATUS: Record<FollowTargetError, number> = {
  invalid: 400,
  local: 400,
  not_allowed: 403,
  not_found: 404,
  not_discoverable: 409,
};

const POST_SCHEMA = {
  type: "object",
  required: ["id", "content", "publishedAt"],
  properties: {
    id: { type: "string", format: "uri" },
    url: { type: ["string", "null"] },
    contentWarning: { type: ["string", "null"] },
    content: { type: "string" },
    publishedAt: { type: "string", format: "date-time" },
    type: {
      type: "string",
      description: "`Note`, or the type of an object shown as a link card (`Video`, `Article`…)",
    },
    title: { type: ["string", "null"], description: "A link card's title" },
  },
} as const;

function followJson(f: FollowWithActor) {
  return {
    id: f.id,
    actor: f.localActor,
    target: {
      uri: f.remote.uri,
      handle: f.remote.handle,
      name: f.remote.name,
      type: f.remote.type,
    },
    state: f.state,
    createdAt: f.createdAt.toISOString(),
  };
}

export function federationApi(api: ApiRegistry, ctx: AppContext, runtime: FederationRuntime): void {
  const asActor = (req: { apiUser?: { id: string; role: string } }, as: unknown) => {
    if (as === "cmcas") {
      if (req.apiUser!.role !== "admin") throw new HttpError(403, "errors.forbidden");
      return CMCAS_ACTOR;
    }
    return req.apiUser!.id;
  };

  api.add<FollowApiBody>({
    method: "post",
    path: "/follows",
    summary: "Follow a remote CMCAS or person by handle (@cmcas@host) or URL",
    tags: ["federation"],
    auth: "user",
    body: followApiSchema,
    responses: {
      201: { description: "The follow (pending until the remote accepts)", schema: FOLLOW_SCHEMA },
      403: { description: "The instance is not allowed, or `as: cmcas` without being admin" },
      404: { description: "No actor at this address" },
      409: { description: "Your profile is not visible to other CMCAS" },
    },
    async handler(req, res) {
      const result = await followTarget(runtime, asActor(req, req.body.as), req.body.target);
      if (!result.ok)
        throw new HttpError(
          FOLLOW_STATUS[result.error],
          `federation:follows.errors.${result.error}`,
        );
      res.status(201).json(followJson(result.value));
    },
  });

  api.add<unknown, { as?: "me" | "cmcas" }>({
    method: "get",
    path: "/follows",
    summary: "Who I (or the CMCAS) follow, with the state of each follow",
    tags: ["federation"],
    auth: "user",
    query: { properties: { as: { type: "string", enum: ["me", "cmcas"] } } },
    responses: { 200: { description: "Follows", schema: { type: "array", items: FOLLOW_SCHEMA } } },
    async handler(req, res) {
      const follows = await visibleFollows(runtime, asActor(req, req.validQuery.as));
      res.json(follows.map(followJson));
    },
  });

  api.add<unknown, { as?: "me" | "cmcas" }>({
    method: "delete",
    path: "/follows/:id",
    summary: "Stop following",
    tags: ["federation"],
    auth: "user",
    query: { properties: { as: { type: "string", enum: ["me", "cmcas"] } } },
    responses: { 204: { description: "Unfollowed" }, 404: { description: "No such follow" } },
    async handler(req, res) {
      const id = Number.parseInt(String(req.params.id), 10);
      const done = Number.isSafeInteger(id)
        ? await unfollowById(runtime, asActor(req, req.validQuery.as), id)
        : undefined;
      if (!done) throw new HttpError(404, "errors.notFound");
      res.status(204).end();
    },
  });

  api.add<unknown, { as?: "me" | "cmcas" }>({
    method: "get",
    path: "/follows/:id/posts",
    summary: "The latest public posts of an actor I (or the CMCAS) follow, newest first",
    tags: ["federation"],
    auth: "user",
    query: { properties: { as: { type: "string", enum: ["me", "cmcas"] } } },
    responses: {
      200: {
        description: "Posts (content is sanitized HTML; a non-empty summary is a content warning)",
        schema: { type: "array", items: POST_SCHEMA },
      },
      404: { description: "No such follow, or its instance is no longer allowed" },
    },
    async handler(req, res) {
      const id = Number.parseInt(String(req.params.id), 10);
      const follows = await visibleFollows(runtime, asActor(req, req.validQuery.as));
      const follow = follows.find((f) => f.id === id);
      if (!follow || !(await runtime.policy.allows(follow.remote.host)))
        throw new HttpError(404, "errors.notFound");
      const notes = await notesOf(ctx.db, follow.remote.id);
      res.json(
        notes.map((n) => ({
          id: n.uri,
          url: n.url,
          contentWarning: n.summary || null,
          content: n.content,
          publishedAt: n.publishedAt.toISOString(),
          type: n.card?.kind ?? "Note",
          title: n.card?.name ?? null,
        })),
      );
    },
  });

  api.add({
    method: "get",
    path: "/admin/federation/domains",
    summary: "The federation mode and the allowed and blocked instances",
    tags: ["federation", "admin"],
    auth: ["admin"],
    responses: {
      200: {
        description: "Policy",
        schema: {
          type: "object",
          properties: {
            mode: { type: "string", enum: ["allowlist", "open"] },
            domains: { type: "array", items: DOMAIN_SCHEMA },
          },
        },
      },
    },
    async handler(_req, res) {
      const { policy } = runtime;
      const domains = await policy.list();
      res.json({
        mode: policy.mode,
        domains: domains.map((d) => ({ domain: d.domain, policy: d.policy, source: d.source })),
      });
    },
  });

  api.add<DomainForm>({
    method: "post",
    path: "/admin/federation/domains",
    summary: "Allow or block an instance (host[:port])",
    tags: ["federation", "admin"],
    auth: ["admin"],
    body: domainSchema,
    responses: { 200: { description: "Saved", schema: DOMAIN_SCHEMA } },
    async handler(req, res) {
      const domain = normalizeDomain(req.body.domain);
      if (!domain) throw new HttpError(400, "federation:admin.errors.domain");
      await runtime.policy.set(domain, req.body.policy, req.apiUser!.id);
      res.json({ domain, policy: req.body.policy, source: "admin" });
    },
  });

  api.add<{ domain: string }>({
    method: "delete",
    path: "/admin/federation/domains",
    summary: "Remove an instance from the list (back to the mode's default)",
    tags: ["federation", "admin"],
    auth: ["admin"],
    body: domainOnlySchema,
    responses: { 204: { description: "Removed" }, 404: { description: "Not in the list" } },
    async handler(req, res) {
      const domain = normalizeDomain(req.body.domain);
      if (!domain || !(await runtime.policy.remove(domain)))
        throw new HttpError(404, "errors.notFound");
      res.status(204).end();
    },
  });

  api.add({
    method: "get",
    path: "/admin/federation/deliveries",
    summary: "Deliveries per target instance: pending, failing, dead, delivered",
    tags: ["federation", "admin"],
    auth: ["admin"],
    responses: { 200: { description: "One entry per instance" } },
    async handler(_req, res) {
      res.json(await runtime.deliveries.summary());
    },
  });

  api.add<{ domain: string }>({
    method: "post",
    path: "/admin/federation/deliveries/retry",
    summary: "Try the failing and dead deliveries to one instance again now",
    tags: ["federation", "admin"],
    auth: ["admin"],
    body: domainOnlySchema,
    responses: { 200: { description: "How many deliveries were queued again" } },
    async handler(req, res) {
      const host = normalizeDomain(req.body.domain);
      if (!host) throw new HttpError(400, "federation:admin.errors.domain");
      res.json({ retried: await runtime.deliveries.retryHost(host) });
    },
  });
}
