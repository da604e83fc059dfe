// The forums' federation pages: following a group hosted elsewhere (by handle or URL), leaving
// it (which undoes the follow), and the HTML side of reply URLs (`/posts/<id>`, whose
// ActivityStreams side Fedify serves). Registered before the group routes: `/groups/follow`.
import type express from "express";
import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import { requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { compileForm } from "../http/validate.ts";
import type { FieldError } from "../http/errors.ts";
import { followSchema, type FollowForm } from "../../federation/web/federation.schemas.ts";
import { followRemoteGroup, unfollowRemoteGroup } from "../../federation/forums/follow-groups.ts";
import { federationOf } from "../../federation/runtime.ts";
import { GROUP_SCHEMA, groupJson } from "./forums.json.ts";
import { failureError } from "./forums.web.ts";
import * as groups from "./groups.service.ts";
import { groupActor } from "./groups.service.ts";
import { pageOfPosition } from "./paging.ts";
import { findPost } from "./posts.repo.ts";
import { findTopic } from "./topics.repo.ts";
import { threadIds } from "../../federation/forums/objects.ts";

const validateFollow = compileForm<FollowForm>(followSchema);

export function forumFederationRoutes(router: express.Router, ctx: AppContext): void {
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
    const result = await followRemoteGroup(federationOf(ctx), req.user!, form.value.target);
    if (!result.ok)
      return followPage(req, res, form.value, [
        { field: "target", key: `forums:followGroup.errors.${result.error}` },
      ]);
    flash(req, "forums:followGroup.followed", { name: result.value.name });
    res.redirect(303, `/groups/${result.value.slug}`);
  });

  router.post("/groups/:slug/leave", requireUser, async (req, res, next) => {
    const group = await groups.findGroup(ctx.db, { slug: String(req.params.slug) });
    if (group?.host) await unfollowRemoteGroup(federationOf(ctx), req.user!, group);
    next();
  });

  // FEP-7888: a thread's context, as the ordered collection of its posts' ids.
  router.get("/topics/:id/context", async (req, res) => {
    const topic = await findTopic(ctx.db, String(req.params.id));
    const group = topic ? await groups.findGroup(ctx.db, { id: topic.groupId }) : undefined;
    if (!topic || !group || topic.removedAt) throw new HttpError(404, "errors.notFound");
    const wanted = req.accepts(["html", "application/activity+json", "application/ld+json"]);
    if (wanted === "html" || !wanted) return res.redirect(303, `/topics/${topic.id}`);
    // Ours to serve: threads of our public groups, and threads our members opened elsewhere.
    const ours = group.host === null ? group.visibility === "public" : topic.authorId !== null;
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
  api.add<FollowForm>({
    method: "post",
    path: "/groups/follow",
    summary: "Follow a group hosted elsewhere (handle @name@host or URL); its history is fetched",
    tags: ["forums"],
    auth: "user",
    body: followSchema,
    responses: {
      201: { description: "The remote group, as seen here", schema: GROUP_SCHEMA },
      422: { description: "Not found, not a group, not allowed, or profile not discoverable" },
    },
    async handler(req, res) {
      const result = await followRemoteGroup(federationOf(ctx), req.apiUser!, req.body.target);
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
