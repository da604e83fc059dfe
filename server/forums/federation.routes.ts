// The forums' federation pages: following a group hosted elsewhere (by handle or URL), a thread's
// FEP-7888 context, and the HTML side of reply URLs (`/posts/<id>`, whose ActivityStreams side
// Fedify serves). Registered before the group routes: `/groups/follow` before `/groups/:slug`.
// Leaving a remote group undoes the follow in the groups service.
import type express from "express";
import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import { requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { compileForm } from "../http/validate.ts";
import { wantsActivityStreams } from "../http/negotiate.ts";
import type { FieldError } from "../http/errors.ts";
import { GROUP_SCHEMA, groupJson } from "./forums.json.ts";
import { followGroupSchema, type FollowGroupForm } from "./forums.schemas.ts";
import { failureError } from "./forums.web.ts";
import * as groups from "./groups.service.ts";
import { forumDeps, groupActor } from "./groups.service.ts";
import { pageOfPosition } from "./paging.ts";
import { threadIds } from "./post-ids.ts";
import { findPost } from "./posts.repo.ts";
import { followRemoteGroup } from "./remote-groups.service.ts";
import { findTopic } from "./topics.repo.ts";

const validateFollow = compileForm<FollowGroupForm>(followGroupSchema);

export function forumFederationRoutes(router: express.Router, ctx: AppContext): void {
  const deps = forumDeps(ctx);
  const followPage = (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) =>
    renderForm(res, "forums/follow-group", ctx.i18n, req, {
      title: req.t("forums:followGroup.title"),
      discoverable: req.user!.discoverable,
      values,
      errors,
    });

  router.get("/groups/follow", requireUser, (req, res) => followPage(req, res));

  router.post("/groups/follow", requireUser, async (req, res) => {
    const form = parseForm(validateFollow, req.body);
    if (!form.ok) return followPage(req, res, req.body as object, form.errors);
    const result = await followRemoteGroup(ctx, deps, req.user!, form.value.target);
    if (!result.ok)
      return followPage(req, res, form.value, [
        { field: "target", key: `forums:followGroup.errors.${result.error}` },
      ]);
    flash(req, "forums:followGroup.followed", { name: result.value.name });
    res.redirect(303, `/groups/${result.value.slug}`);
  });

  // FEP-7888: a thread's context, as the ordered collection of its posts' ids.
  router.get("/topics/:id/context", async (req, res) => {
    const topic = await findTopic(ctx.db, String(req.params.id));
    const group = topic ? await groups.findGroup(ctx.db, { id: topic.groupId }) : undefined;
    if (!topic || !group || topic.removedAt) throw new HttpError(404, "errors.notFound");
    if (!wantsActivityStreams(req.headers.accept)) return res.redirect(303, `/topics/${topic.id}`);
    // Ours to serve: threads of our public groups, and threads our members opened in public
    // groups elsewhere (a network group's threads are not listed to anyone; ADR 0085).
    const ours = group.visibility === "public" && (group.host === null || topic.authorId !== null);
    if (!ours || topic.context) throw new HttpError(404, "errors.notFound");
    const ids = await threadIds(ctx.db, ctx.config.publicUrl, topic.id);
    res.type("application/activity+json").send(
      JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: new URL(`/topics/${topic.id}/context`, ctx.config.publicUrl).href,
        type: "OrderedCollection",
        attributedTo: groupActor(ctx.config, group).actor,
        totalItems: ids.length,
        orderedItems: ids,
      }),
    );
  });

  router.get("/posts/:id", async (req, res) => {
    const post = await findPost(ctx.db, String(req.params.id));
    if (!post) throw new HttpError(404, "errors.notFound");
    const page = pageOfPosition(post.position);
    res.redirect(
      303,
      `/topics/${post.topicId}${page > 1 ? `?page=${page}` : ""}#post-${post.position}`,
    );
  });
}

export function forumFederationApi(api: ApiRegistry, ctx: AppContext): void {
  const deps = forumDeps(ctx);
  api.add<FollowGroupForm>({
    method: "post",
    path: "/groups/follow",
    summary: "Follow a group hosted elsewhere (handle @name@host or URL); its history is fetched",
    tags: ["forums"],
    auth: "user",
    body: followGroupSchema,
    responses: {
      201: { description: "The remote group, as seen here", schema: GROUP_SCHEMA },
      422: { description: "Not found, not a group, not allowed, or profile not discoverable" },
    },
    async handler(req, res) {
      const result = await followRemoteGroup(ctx, deps, req.apiUser!, req.body.target);
      if (!result.ok)
        throw failureError(
          req.t,
          { status: 422, key: `forums:followGroup.errors.${result.error}`, values: {} },
          "target",
        );
      res.status(201).json(groupJson(ctx.config, result.value, "active"));
    },
  });
}
