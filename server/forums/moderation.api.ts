import type { AppContext } from "../context.ts";
import type express from "express";
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import { handlers } from "../http/handlers.ts";
import {
  banApiSchema,
  moveApiSchema,
  reasonApiSchema,
  reportApiSchema,
  type MoveForm,
  type ReasonForm,
  type ReportApi,
} from "./forums.schemas.ts";
import { PAGE_SCHEMA, pageJson } from "./forums.json.ts";
import {
  failure,
  failureError,
  groupRef,
  readableGroup,
  readablePost,
  readableTopic,
  requireModerator,
} from "./forums.web.ts";
import * as moderation from "./moderation.service.ts";
import { pageParam } from "./paging.ts";
import { forumDeps } from "./groups.service.ts";

const done = { 204: { description: "Done" } };
const pageQuery = { properties: { page: { type: "integer", minimum: 1, maximum: 100000 } } };

const REPORT_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    group: { type: "string" },
    postId: { type: "string" },
    topicId: { type: "string" },
    topicTitle: { type: "string" },
    reason: { type: "string" },
    content: { type: "string", description: "The post's text when it was reported" },
    reporter: { type: ["string", "null"] },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

const LOG_SCHEMA = {
  type: "object",
  properties: {
    action: { type: "string" },
    topicId: { type: ["string", "null"] },
    topicTitle: { type: ["string", "null"] },
    member: { type: ["string", "null"] },
    reason: { type: "string" },
    details: { type: "object" },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

type Res = express.Response;
type Api<B, Q = unknown> = ApiRequest<B, Q>;
type Paged = { page?: number };
type BanApi = { username: string; days?: number | null; reason?: string };

const list = (items: object) => ({
  type: "object",
  properties: { items: { type: "array", items: items }, ...PAGE_SCHEMA.properties },
});

const reportJson = (r: moderation.Report) => ({
  id: r.id,
  group: r.groupSlug,
  postId: r.postId,
  topicId: r.topicId,
  topicTitle: r.topicTitle,
  reason: r.reason,
  content: r.contentSnapshot,
  reporter: r.reporterName,
  createdAt: r.createdAt.toISOString(),
});

/** One page of open reports (the page number from the query), in the API's list shape. */
async function reportsPage(
  ctx: AppContext,
  req: { validQuery: Paged },
  scope: Parameters<typeof moderation.openReportsPage>[1],
) {
  const page = pageParam(String(req.validQuery.page ?? 1));
  const found = await moderation.openReportsPage(ctx.db, scope, page);
  return { items: found.items.map(reportJson), ...pageJson(found.pager, found.total) };
}

export function moderationApi(api: ApiRegistry, ctx: AppContext): void {
  const on = handlers(ctx);

  api.add<ReportApi>({
    method: "post",
    path: "/reports",
    summary: "Report a post to the group's moderators, with a reason",
    tags: ["forums"],
    auth: "user",
    body: reportApiSchema,
    responses: {
      201: {
        description: "Reported",
        schema: { type: "object", properties: { id: { type: "string" } } },
      },
      409: { description: "Already reported by me" },
      422: { description: "No reason given" },
    },
    handler: on(reportPost),
  });

  api.add<unknown, { page?: number }>({
    method: "get",
    path: "/reports",
    summary: "The instance moderation queue: open reports of every group (moderators, admins)",
    tags: ["forums"],
    auth: ["moderator", "admin"],
    query: pageQuery,
    responses: { 200: { description: "Open reports, oldest first", schema: list(REPORT_SCHEMA) } },
    handler: on(instanceReports),
  });

  api.add<unknown, { page?: number }>({
    method: "get",
    path: "/groups/:id/reports",
    summary: "A group's moderation queue (its moderators)",
    tags: ["forums"],
    auth: "user",
    query: pageQuery,
    responses: { 200: { description: "Open reports, oldest first", schema: list(REPORT_SCHEMA) } },
    handler: on(groupReports),
  });

  api.add<unknown, { page?: number }>({
    method: "get",
    path: "/groups/:id/moderation-log",
    summary: "A group's public moderation log: every action and its reason",
    tags: ["forums"],
    auth: "optional",
    query: pageQuery,
    responses: { 200: { description: "Newest first", schema: list(LOG_SCHEMA) } },
    handler: on(moderationLog),
  });

  for (const action of ["removal", "restoration"] as const) {
    api.add<ReasonForm>({
      method: "post",
      path: `/posts/:id/${action}`,
      summary:
        action === "removal"
          ? "Remove a post (a reason is required; removing the first post removes the topic)"
          : "Restore a removed post (a reason is required)",
      tags: ["forums"],
      auth: "user",
      body: reasonApiSchema,
      responses: { ...done, 422: { description: "No reason given" } },
      handler: (req, res) => removeOrRestore(ctx, req, res, action),
    });
  }

  for (const action of ["lock", "unlock", "pin", "unpin"] as const) {
    api.add<ReasonForm>({
      method: "post",
      path: `/topics/:id/${action}`,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} a topic (reason required to lock or unlock)`,
      tags: ["forums"],
      auth: "user",
      body: reasonApiSchema,
      responses: done,
      handler: (req, res) => flagTopic(ctx, req, res, action),
    });
  }

  api.add<MoveForm>({
    method: "post",
    path: "/topics/:id/move",
    summary: "Move a topic to another group I moderate (reason required)",
    tags: ["forums"],
    auth: "user",
    body: moveApiSchema,
    responses: done,
    handler: on(moveTopic),
  });

  api.add<BanApi>({
    method: "post",
    path: "/groups/:id/bans",
    summary:
      "Ban a member from posting in a group for some days (null: until lifted); reason required",
    tags: ["forums"],
    auth: "user",
    body: banApiSchema,
    responses: {
      201: {
        description: "Banned",
        schema: {
          type: "object",
          properties: { until: { type: ["string", "null"], format: "date-time" } },
        },
      },
    },
    handler: on(ban),
  });

  api.add<ReasonForm>({
    method: "post",
    path: "/groups/:id/bans/:userId/lift",
    summary: "Lift a member's ban (reason required)",
    tags: ["forums"],
    auth: "user",
    body: reasonApiSchema,
    responses: done,
    handler: on(liftBan),
  });
}

async function reportPost(ctx: AppContext, req: Api<ReportApi>, res: Res) {
  const found = await readablePost(ctx.db, req.apiUser, req.body.postId);
  const result = await ctx.transaction((tx) =>
    moderation.report(tx, forumDeps(ctx), {
      ...found,
      user: req.apiUser!,
      reason: req.body.reason,
    }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error), "reason");
  res.status(201).json({ id: result.value });
}

async function instanceReports(ctx: AppContext, req: Api<unknown, Paged>, res: Res) {
  res.json(await reportsPage(ctx, req, { instance: req.apiUser! }));
}

async function groupReports(ctx: AppContext, req: Api<unknown, Paged>, res: Res) {
  const { group, access } = await readableGroup(
    ctx.db,
    req.apiUser,
    groupRef(String(req.params.id)),
  );
  requireModerator(access);
  res.json(await reportsPage(ctx, req, { groupId: group.id }));
}

async function moderationLog(ctx: AppContext, req: Api<unknown, Paged>, res: Res) {
  const { group } = await readableGroup(ctx.db, req.apiUser, groupRef(String(req.params.id)));
  const page = pageParam(String(req.validQuery.page ?? 1));
  const log = await moderation.logPage(ctx.db, group.id, page);
  res.json({
    items: log.items.map((e) => ({
      action: e.action,
      topicId: e.topicId,
      topicTitle: e.topicTitle,
      member: e.targetName,
      reason: e.reason,
      details: e.details,
      createdAt: e.createdAt.toISOString(),
    })),
    ...pageJson(log.pager, log.total),
  });
}

async function removeOrRestore(
  ctx: AppContext,
  req: Api<ReasonForm>,
  res: Res,
  action: "removal" | "restoration",
) {
  const found = await readablePost(ctx.db, req.apiUser, String(req.params.id));
  requireModerator(found.access);
  const result = await ctx.transaction((tx) =>
    moderation.actOnPost(tx, forumDeps(ctx), action === "removal" ? "remove" : "restore", {
      ...found,
      user: req.apiUser!,
      reason: req.body.reason,
    }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error), "reason");
  res.status(204).end();
}

async function flagTopic(
  ctx: AppContext,
  req: Api<ReasonForm>,
  res: Res,
  action: moderation.TopicAction,
) {
  const found = await readableTopic(ctx.db, req.apiUser, String(req.params.id));
  requireModerator(found.access);
  const result = await ctx.transaction((tx) =>
    moderation.flagTopic(tx, forumDeps(ctx), {
      ...found,
      moderator: req.apiUser!,
      action,
      reason: req.body.reason,
    }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error), "reason");
  res.status(204).end();
}

async function moveTopic(ctx: AppContext, req: Api<MoveForm>, res: Res) {
  const found = await readableTopic(ctx.db, req.apiUser, String(req.params.id));
  requireModerator(found.access);
  const result = await ctx.transaction((tx) =>
    moderation.moveTopic(tx, forumDeps(ctx), {
      ...found,
      targetId: req.body.groupId,
      moderator: req.apiUser!,
      reason: req.body.reason,
    }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error), "reason");
  res.status(204).end();
}

async function ban(ctx: AppContext, req: Api<BanApi>, res: Res) {
  const { group, access } = await readableGroup(
    ctx.db,
    req.apiUser,
    groupRef(String(req.params.id)),
  );
  requireModerator(access);
  const result = await ctx.transaction((tx) =>
    moderation.ban(tx, forumDeps(ctx), {
      group,
      username: req.body.username,
      days: req.body.days ?? null,
      reason: req.body.reason,
      moderator: req.apiUser!,
    }),
  );
  if (!result.ok)
    throw failureError(
      req.t,
      failure(result.error),
      result.error === "reason_required" ? "reason" : "username",
    );
  res.status(201).json({ until: result.value.expiresAt?.toISOString() ?? null });
}

async function liftBan(ctx: AppContext, req: Api<ReasonForm>, res: Res) {
  const { group, access } = await readableGroup(
    ctx.db,
    req.apiUser,
    groupRef(String(req.params.id)),
  );
  requireModerator(access);
  const result = await ctx.transaction((tx) =>
    moderation.unban(tx, {
      group,
      userId: String(req.params.userId),
      moderator: req.apiUser!,
      reason: req.body.reason,
    }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error), "reason");
  res.status(204).end();
}
