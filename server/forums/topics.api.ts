import type { AppContext } from "../context.ts";
import type express from "express";
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import { handlers } from "../http/handlers.ts";
import { editApiSchema, replyApiSchema, type EditForm, type ReplyForm } from "./forums.schemas.ts";
import {
  GROUP_SCHEMA,
  groupJson,
  PAGE_SCHEMA,
  pageJson,
  POST_SCHEMA,
  postJson,
  TOPIC_SCHEMA,
  topicJson,
} from "./forums.json.ts";
import { failure, failureError, readablePost, readableTopic } from "./forums.web.ts";
import { subscribe } from "./groups.service.ts";
import { postPath, pageParam, pager, POSTS_PER_PAGE, RESULTS_PER_PAGE } from "./paging.ts";
import { plainSnippet, searchPosts } from "./search.repo.ts";
import { QUERY_MAX } from "./search.routes.ts";
import * as topics from "./topics.service.ts";
import { forumDeps } from "./groups.service.ts";

type Res = express.Response;
type Api<B, Q = unknown> = ApiRequest<B, Q>;
type SearchQuery = { q: string; page?: number };

export function topicsApi(api: ApiRegistry, ctx: AppContext): void {
  const on = handlers(ctx);

  api.add<unknown, { page?: number }>({
    method: "get",
    path: "/topics/:id",
    summary: "A topic and one page of its posts, in order (the first post opens the topic)",
    tags: ["forums"],
    auth: "optional",
    query: { properties: { page: { type: "integer", minimum: 1, maximum: 100000 } } },
    responses: {
      200: {
        description: "The topic, its group and a page of posts",
        schema: {
          type: "object",
          properties: {
            topic: TOPIC_SCHEMA,
            group: GROUP_SCHEMA,
            posts: { type: "array", items: POST_SCHEMA },
            ...PAGE_SCHEMA.properties,
          },
        },
      },
    },
    handler: on(showTopic),
  });

  api.add<ReplyForm>({
    method: "post",
    path: "/topics/:id/replies",
    summary:
      "Reply in a topic (Markdown); inReplyTo threads it under a post, quoteOf marks a quote",
    tags: ["forums"],
    auth: "user",
    body: replyApiSchema,
    responses: {
      201: { description: "The reply", schema: POST_SCHEMA },
      403: { description: "Not allowed to post here, or banned" },
      409: { description: "The topic is locked" },
      429: { description: "New account: posting slowed down" },
    },
    handler: on(reply),
  });

  api.add<unknown>({
    method: "post",
    path: "/posts/:id/deletion",
    summary:
      "Delete my post, shown as deleted by its author (a first post only while it has no replies)",
    tags: ["forums"],
    auth: "user",
    responses: {
      204: { description: "Deleted" },
      403: { description: "Not my post" },
      409: { description: "Already removed, or a first post with replies" },
    },
    handler: on(deletePost),
  });

  api.add<EditForm>({
    method: "patch",
    path: "/posts/:id",
    summary: "Edit my post (the topic title too, for its first post); it is marked as edited",
    tags: ["forums"],
    auth: "user",
    body: editApiSchema,
    responses: { 200: { description: "The post", schema: POST_SCHEMA } },
    handler: on(editPost),
  });

  for (const method of ["put", "delete"] as const) {
    api.add({
      method,
      path: "/posts/:id/like",
      summary: method === "put" ? "Like a post" : "Take my like back",
      tags: ["forums"],
      auth: "user",
      responses: {
        200: {
          description: "The count",
          schema: { type: "object", properties: { likes: { type: "integer" } } },
        },
      },
      handler: (req, res) => like(ctx, req, res, method === "put"),
    });

    api.add({
      method,
      path: "/topics/:id/subscription",
      summary:
        method === "put" ? "Be notified of replies in a topic" : "Stop notifications of a topic",
      tags: ["forums"],
      auth: "user",
      responses: { 204: { description: "Done" } },
      handler: (req, res) => subscription(ctx, req, res, method === "put"),
    });
  }

  api.add<unknown, SearchQuery>({
    method: "get",
    path: "/forums/search",
    summary: "French full-text search in the groups I may read (accents and plurals ignored)",
    tags: ["forums"],
    auth: "optional",
    query: {
      properties: {
        q: { type: "string", minLength: 1, maxLength: QUERY_MAX },
        page: { type: "integer", minimum: 1, maximum: 1000 },
      },
      required: ["q"],
    },
    responses: {
      200: {
        description: "Matching posts, best first",
        schema: {
          type: "object",
          properties: {
            items: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  postId: { type: "string" },
                  topicId: { type: "string" },
                  topicTitle: { type: "string" },
                  group: { type: "string" },
                  excerpt: { type: "string" },
                  url: { type: "string", format: "uri" },
                },
              },
            },
            ...PAGE_SCHEMA.properties,
          },
        },
      },
    },
    handler: on(search),
  });
}

async function showTopic(ctx: AppContext, req: Api<unknown, { page?: number }>, res: Res) {
  const deps = forumDeps(ctx);
  const found = await readableTopic(ctx.db, req.apiUser, String(req.params.id));
  const { topic, group, access } = found;
  const page = pageParam(String(req.validQuery.page ?? 1));
  const { posts } = await topics.readTopicPage(ctx.db, {
    topic,
    userId: req.apiUser?.id,
    page,
  });
  res.json({
    topic: topicJson(deps, topic),
    group: groupJson(deps, group, access.membership?.state),
    posts: posts.map((p) => postJson(deps, p, access)),
    ...pageJson(pager(topic.postCount, page, POSTS_PER_PAGE), topic.postCount),
  });
}

async function reply(ctx: AppContext, req: Api<ReplyForm>, res: Res) {
  const deps = forumDeps(ctx);
  const found = await readableTopic(ctx.db, req.apiUser, String(req.params.id));
  const result = await ctx.transaction((tx) =>
    topics.reply(tx, deps, {
      ...found,
      user: req.apiUser!,
      source: req.body.content,
      inReplyToId: req.body.inReplyTo,
      quoteOfId: req.body.quoteOf,
    }),
  );
  if (!result.ok)
    throw failureError(req.t, failure(result.error, result.details, found.access), "content");
  const body = postJson(
    deps,
    await topics.postView(ctx.db, result.value.postId, req.apiUser!.id),
    found.access,
  );
  res.status(201).location(body.url).json(body);
}

async function editPost(ctx: AppContext, req: Api<EditForm>, res: Res) {
  const deps = forumDeps(ctx);
  const found = await readablePost(ctx.db, req.apiUser, String(req.params.id));
  const result = await ctx.transaction((tx) =>
    topics.editPost(tx, deps, {
      ...found,
      user: req.apiUser!,
      source: req.body.content,
      title: req.body.title,
    }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error, {}, found.access));
  res.json(
    postJson(deps, await topics.postView(ctx.db, found.post.id, req.apiUser!.id), found.access),
  );
}

async function deletePost(ctx: AppContext, req: Api<unknown>, res: Res) {
  const found = await readablePost(ctx.db, req.apiUser, String(req.params.id));
  const result = await ctx.transaction((tx) =>
    topics.deleteOwnPost(tx, forumDeps(ctx), { ...found, user: req.apiUser! }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error, {}, found.access));
  res.status(204).end();
}

async function like(ctx: AppContext, req: Api<unknown>, res: Res, on: boolean) {
  const deps = forumDeps(ctx);
  const found = await readablePost(ctx.db, req.apiUser, String(req.params.id));
  const result = await ctx.transaction((tx) =>
    topics.like(tx, deps, { ...found, user: req.apiUser!, on }),
  );
  if (!result.ok) throw failureError(req.t, failure(result.error, {}, found.access));
  res.json({ likes: (await topics.findPost(ctx.db, found.post.id))!.likeCount });
}

async function subscription(ctx: AppContext, req: Api<unknown>, res: Res, on: boolean) {
  const { topic } = await readableTopic(ctx.db, req.apiUser, String(req.params.id));
  await subscribe(ctx.db, req.apiUser!.id, { topicId: topic.id }, on);
  res.status(204).end();
}

async function search(ctx: AppContext, req: Api<unknown, SearchQuery>, res: Res) {
  const deps = forumDeps(ctx);
  const page = pageParam(String(req.validQuery.page ?? 1));
  const found = await searchPosts(ctx.db, req.apiUser, req.validQuery.q, {
    limit: RESULTS_PER_PAGE,
    offset: (page - 1) * RESULTS_PER_PAGE,
  });
  res.json({
    items: found.items.map((hit) => ({
      postId: hit.postId,
      topicId: hit.topicId,
      topicTitle: hit.topicTitle,
      group: hit.groupSlug,
      excerpt: plainSnippet(hit.snippet),
      url: new URL(postPath(hit.topicId, hit.position), deps.publicUrl).href,
    })),
    ...pageJson(pager(found.total, page, RESULTS_PER_PAGE), found.total),
  });
}
