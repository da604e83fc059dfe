import type { AppContext } from "../context.ts";
import type express from "express";
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import { handlers } from "../http/handlers.ts";
import { HttpError } from "../http/errors.ts";
import { groupApiSchema, topicApiSchema, type GroupForm } from "./forums.schemas.ts";
import {
  GROUP_SCHEMA,
  groupJson,
  PAGE_SCHEMA,
  pageJson,
  TOPIC_SCHEMA,
  topicJson,
} from "./forums.json.ts";
import { failure, failureError, groupRef, readableGroup, requireModerator } from "./forums.web.ts";
import * as groups from "./groups.service.ts";
import { GROUPS_PER_PAGE, pageParam, pager, TOPICS_PER_PAGE } from "./paging.ts";
import { createTopic, findTopic, listTopics } from "./topics.service.ts";
import { forumDeps } from "./groups.service.ts";

const pageQuery = { properties: { page: { type: "integer", minimum: 1, maximum: 100000 } } };
const created = (schema: object) => ({ 201: { description: "Created", schema } });

type Res = express.Response;
type Api<B, Q = unknown> = ApiRequest<B, Q>;
type ListQuery = { page?: number; mine?: boolean };
type TopicApi = { title: string; content: string };

export function groupsApi(api: ApiRegistry, ctx: AppContext): void {
  const on = handlers(ctx);

  api.add<unknown, ListQuery>({
    method: "get",
    path: "/groups",
    summary: "Forum groups I may read, most active first",
    tags: ["forums"],
    auth: "optional",
    query: {
      properties: { ...pageQuery.properties, mine: { type: "boolean" } },
    },
    responses: {
      200: {
        description: "One page of groups",
        schema: {
          type: "object",
          properties: { items: { type: "array", items: GROUP_SCHEMA }, ...PAGE_SCHEMA.properties },
        },
      },
    },
    handler: on(listGroups),
  });

  api.add<GroupForm>({
    method: "post",
    path: "/groups",
    summary: "Create a group (staff, moderators, admins); its creator moderates it",
    tags: ["forums"],
    auth: ["staff", "moderator", "admin"],
    body: groupApiSchema,
    responses: { ...created(GROUP_SCHEMA), 409: { description: "Slug taken or reserved" } },
    handler: on(createGroup),
  });

  api.add({
    method: "get",
    path: "/groups/:id",
    summary: "One group, by id or slug",
    tags: ["forums"],
    auth: "optional",
    responses: { 200: { description: "The group", schema: GROUP_SCHEMA } },
    handler: on(showGroup),
  });

  api.add<GroupForm>({
    method: "put",
    path: "/groups/:id",
    summary: "Change a group's settings (its moderators)",
    tags: ["forums"],
    auth: "user",
    body: groupApiSchema,
    responses: { 200: { description: "The group", schema: GROUP_SCHEMA } },
    handler: on(updateGroup),
  });

  api.add({
    method: "post",
    path: "/groups/:id/membership",
    summary: "Join a group (open groups), or ask to (on approval), or accept an invitation",
    tags: ["forums"],
    auth: "user",
    responses: {
      200: {
        description: "joined, requested or already",
        schema: { type: "object", properties: { outcome: { type: "string" } } },
      },
    },
    handler: on(join),
  });

  api.add({
    method: "delete",
    path: "/groups/:id/membership",
    summary: "Leave a group",
    tags: ["forums"],
    auth: "user",
    responses: { 204: { description: "Left" } },
    handler: on(leave),
  });

  for (const method of ["put", "delete"] as const) {
    api.add({
      method,
      path: "/groups/:id/subscription",
      summary: method === "put" ? "Be notified of new topics" : "Stop notifications of new topics",
      tags: ["forums"],
      auth: "user",
      responses: { 204: { description: "Done" } },
      handler: (req, res) => subscription(ctx, req, res, method === "put"),
    });
  }

  api.add<unknown, { page?: number }>({
    method: "get",
    path: "/groups/:id/topics",
    summary: "Topics of a group: pinned first, then by latest activity",
    tags: ["forums"],
    auth: "optional",
    query: pageQuery,
    responses: {
      200: {
        description: "One page of topics",
        schema: {
          type: "object",
          properties: { items: { type: "array", items: TOPIC_SCHEMA }, ...PAGE_SCHEMA.properties },
        },
      },
    },
    handler: on(listGroupTopics),
  });

  api.add<TopicApi>({
    method: "post",
    path: "/groups/:id/topics",
    summary: "Open a topic (Markdown content)",
    tags: ["forums"],
    auth: "user",
    body: topicApiSchema,
    responses: {
      ...created(TOPIC_SCHEMA),
      403: { description: "Not allowed to post here, or banned" },
      429: { description: "New account: posting slowed down" },
    },
    handler: on(createTopicIn),
  });
}

async function listGroups(ctx: AppContext, req: Api<unknown, ListQuery>, res: Res) {
  const deps = forumDeps(ctx);
  const page = pageParam(String(req.validQuery.page ?? 1));
  const list = await groups.listGroups(ctx.db, req.apiUser, {
    limit: GROUPS_PER_PAGE,
    offset: (page - 1) * GROUPS_PER_PAGE,
    mine: req.validQuery.mine === true,
  });
  res.json({
    items: list.items.map((g) => groupJson(deps, g, g.membership)),
    ...pageJson(pager(list.total, page, GROUPS_PER_PAGE), list.total),
  });
}

async function createGroup(ctx: AppContext, req: Api<GroupForm>, res: Res) {
  const deps = forumDeps(ctx);
  const result = await ctx.transaction((tx) =>
    groups.createGroup(tx, deps, req.apiUser!, req.body),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error), "slug");
  res
    .status(201)
    .location(groupJson(deps, result.value).url)
    .json(groupJson(deps, result.value, "active"));
}

async function showGroup(ctx: AppContext, req: Api<unknown>, res: Res) {
  const deps = forumDeps(ctx);
  const { group, access } = await readableGroup(
    ctx.db,
    req.apiUser,
    groupRef(String(req.params.id)),
  );
  res.json(groupJson(deps, group, access.membership?.state));
}

async function updateGroup(ctx: AppContext, req: Api<GroupForm>, res: Res) {
  const deps = forumDeps(ctx);
  const found = await readableGroup(ctx.db, req.apiUser, groupRef(String(req.params.id)));
  requireModerator(found.access);
  const group = await ctx.transaction((tx) => groups.updateGroup(tx, deps, found.group, req.body));
  res.json(groupJson(deps, group, found.access.membership?.state));
}

async function join(ctx: AppContext, req: Api<unknown>, res: Res) {
  const deps = forumDeps(ctx);
  const group = await groups.findGroup(ctx.db, groupRef(String(req.params.id)));
  if (!group) throw new HttpError(404, "errors.notFound");
  const result = await ctx.transaction((tx) => groups.join(tx, deps, group, req.apiUser!));
  if (!result.ok) throw failureError(req.t, failure(result.error));
  res.json({ outcome: result.value });
}

async function leave(ctx: AppContext, req: Api<unknown>, res: Res) {
  const deps = forumDeps(ctx);
  const group = await groups.findGroup(ctx.db, groupRef(String(req.params.id)));
  if (!group || !(await ctx.transaction((tx) => groups.leave(tx, deps, group, req.apiUser!))))
    throw new HttpError(404, "errors.notFound");
  res.status(204).end();
}

async function subscription(ctx: AppContext, req: Api<unknown>, res: Res, on: boolean) {
  const { group } = await readableGroup(ctx.db, req.apiUser, groupRef(String(req.params.id)));
  await groups.subscribe(ctx.db, req.apiUser!.id, { groupId: group.id }, on);
  res.status(204).end();
}

async function listGroupTopics(ctx: AppContext, req: Api<unknown, { page?: number }>, res: Res) {
  const deps = forumDeps(ctx);
  const { group, access } = await readableGroup(
    ctx.db,
    req.apiUser,
    groupRef(String(req.params.id)),
  );
  const page = pageParam(String(req.validQuery.page ?? 1));
  const list = await listTopics(ctx.db, group.id, {
    limit: TOPICS_PER_PAGE,
    offset: (page - 1) * TOPICS_PER_PAGE,
    userId: access.isMember ? req.apiUser?.id : undefined,
    withRemoved: false,
  });
  res.json({
    items: list.items.map((t) => topicJson(deps, t)),
    ...pageJson(pager(list.total, page, TOPICS_PER_PAGE), list.total),
  });
}

async function createTopicIn(ctx: AppContext, req: Api<TopicApi>, res: Res) {
  const deps = forumDeps(ctx);
  const found = await readableGroup(ctx.db, req.apiUser, groupRef(String(req.params.id)));
  const result = await ctx.transaction((tx) =>
    createTopic(tx, deps, {
      ...found,
      user: req.apiUser!,
      title: req.body.title,
      source: req.body.content,
    }),
  );
  if (!result.ok)
    throw failureError(req.t, failure(result.error, result.details, found.access), "content");
  const topic = (await findTopic(ctx.db, result.value.topicId))!;
  res.status(201).location(topicJson(deps, topic).url).json(topicJson(deps, topic));
}
