import type express from "express";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, requireRole, requireUser } from "../http/auth.ts";
import type { FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import {
  banFormSchema,
  moveFormSchema,
  reasonFormSchema,
  type BanForm,
  type MoveForm,
  type ReasonForm,
} from "./forums.schemas.ts";
import {
  failure,
  moderatedGroup,
  moderatedTopic,
  readableGroup,
  readablePost,
  requireModerator,
} from "./forums.web.ts";
import { groupHeader, renderMembersPage } from "./groups.routes.ts";
import { groupsModeratedBy } from "./groups.service.ts";
import * as moderation from "./moderation.service.ts";
import { pageOfPosition, postPath, pageParam } from "./paging.ts";
import { excerpt } from "./richtext.ts";
import { forumDeps } from "./groups.service.ts";

const validateReason = compileForm<ReasonForm>(reasonFormSchema);
const validateBan = compileForm<BanForm>(banFormSchema);
const validateMove = compileForm<MoveForm>(moveFormSchema);

/** The topic moderation page has one reason field per form, each with its own id. */
function formReason(body: unknown, action: string): Record<string, unknown> {
  const fields = { ...(body as Record<string, unknown>) };
  fields.reason ??= fields[`reason-${action}`];
  delete fields[`reason-${action}`];
  return fields;
}

type Req = express.Request;
type Res = express.Response;
type TopicAction = moderation.TopicAction;

export function moderationRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.get("/groups/:slug/moderation", on(logPage));
  router.get("/groups/:slug/reports", requireUser, on(groupReports));
  router.get("/forums/reports", requireRole(...MODERATOR_ROLES), on(instanceReports));
  router.post("/groups/:slug/reports/:reportId/dismiss", requireUser, on(dismissReport));
  for (const action of ["report", "remove", "restore"] as const) {
    router.get(
      `/posts/:id/${action}`,
      requireUser,
      on((c, r, s) => postActionPage(c, r, s, action)),
    );
    router.post(
      `/posts/:id/${action}`,
      requireUser,
      on((c, r, s) => actOnPost(c, r, s, action)),
    );
  }
  router.get("/topics/:id/moderate", requireUser, on(topicModerationPage));
  for (const action of ["lock", "unlock", "pin", "unpin"] as const)
    router.post(
      `/topics/:id/${action}`,
      requireUser,
      on((c, r, s) => flagTopic(c, r, s, action)),
    );
  router.post("/topics/:id/move", requireUser, on(moveTopic));
  router.post("/groups/:slug/bans", requireUser, on(ban));
  router.post("/groups/:slug/bans/:userId/lift", requireUser, on(liftBan));
}

async function logPage(ctx: AppContext, req: Req, res: Res) {
  const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const log = await moderation.logPage(ctx.db, found.group.id, pageParam(req.query.page));
  res.render("forums/log", {
    title: req.t("forums:log.title", { group: found.group.name }),
    ...groupHeader(ctx, found, "log"),
    entries: log.items,
    pager: log.pager,
  });
}

const shownReports = (list: Awaited<ReturnType<typeof moderation.openReportsPage>>) => ({
  reports: list.items.map((r) => ({ ...r, page: pageOfPosition(r.position) })),
  pager: list.pager,
});

async function groupReports(ctx: AppContext, req: Req, res: Res) {
  const found = await moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const scope = { groupId: found.group.id };
  const list = await moderation.openReportsPage(ctx.db, scope, pageParam(req.query.page));
  res.render("forums/reports", {
    title: req.t("forums:reports.title", { group: found.group.name }),
    ...groupHeader(ctx, found, "reports"),
    ...shownReports(list),
  });
}

/** The instance's queue: the open reports of every group. */
async function instanceReports(ctx: AppContext, req: Req, res: Res) {
  const scope = { instance: req.user! };
  const list = await moderation.openReportsPage(ctx.db, scope, pageParam(req.query.page));
  res.render("forums/reports", {
    title: req.t("forums:reports.instanceTitle"),
    instanceQueue: true,
    ...shownReports(list),
  });
}

async function dismissReport(ctx: AppContext, req: Req, res: Res) {
  const found = await moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const form = parseForm(validateReason, req.body);
  const result = await ctx.transaction((tx) =>
    moderation.dismissReport(
      tx,
      {
        group: found.group,
        reportId: String(req.params.reportId),
        moderator: req.user!,
        reason: form.ok ? form.value.reason : undefined,
      },
      forumDeps(ctx),
    ),
  );
  flash(req, result.ok ? "forums:reports.dismissed" : `forums:errors.${result.error}`);
  const back = (req.body as { back?: string }).back === "instance";
  res.redirect(303, back ? "/forums/reports" : `/groups/${found.group.slug}/reports`);
}

// Report, remove and restore share one page: the post, and a reason to give.
async function postActionPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  action: moderation.PostAction,
  values: object = {},
  errors?: FieldError[],
  status?: number,
) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  if (action !== "report") requireModerator(found.access);
  renderForm(
    res,
    "forums/reason-form",
    ctx.i18n,
    req,
    {
      title: req.t(`forums:${action}.title`),
      ...groupHeader(ctx, found, "topics"),
      topic: found.topic,
      post: { ...found.post, excerpt: excerpt(found.post.text, 400) },
      action,
      formAction: `/posts/${found.post.id}/${action}`,
      values,
      errors,
    },
    status,
  );
}

async function actOnPost(ctx: AppContext, req: Req, res: Res, action: moderation.PostAction) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  if (action !== "report") requireModerator(found.access);
  const form = parseForm(validateReason, req.body);
  if (!form.ok) return postActionPage(ctx, req, res, action, req.body as object, form.errors);
  const result = await ctx.transaction((tx) =>
    moderation.actOnPost(tx, forumDeps(ctx), action, {
      ...found,
      user: req.user!,
      reason: form.value.reason,
    }),
  );
  if (!result.ok) {
    const failed = failure(result.error);
    return postActionPage(
      ctx,
      req,
      res,
      action,
      req.body as object,
      [{ field: "reason", key: failed.key }],
      failed.status,
    );
  }
  flash(req, `forums:${action}.done`);
  res.redirect(303, postPath(found.topic.id, found.post.position));
}

async function topicModerationPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  values: object = {},
  errors?: FieldError[],
  status?: number,
) {
  const found = await moderatedTopic(ctx.db, req.user, String(req.params.id));
  const targets = (await groupsModeratedBy(ctx.db, req.user!)).filter(
    (g) => g.id !== found.group.id,
  );
  renderForm(
    res,
    "forums/moderate-topic",
    ctx.i18n,
    req,
    {
      title: req.t("forums:moderateTopic.title"),
      ...groupHeader(ctx, found, "topics"),
      topic: found.topic,
      targets,
      values,
      errors,
    },
    status,
  );
}

async function flagTopic(ctx: AppContext, req: Req, res: Res, action: TopicAction) {
  const found = await moderatedTopic(ctx.db, req.user, String(req.params.id));
  const form = parseForm(validateReason, formReason(req.body, action));
  const reason = form.ok ? form.value.reason : undefined;
  const result = await ctx.transaction((tx) =>
    moderation.flagTopic(tx, forumDeps(ctx), { ...found, moderator: req.user!, action, reason }),
  );
  if (!result.ok) {
    return topicModerationPage(
      ctx,
      req,
      res,
      { ...(req.body as object), action },
      [{ field: `reason-${action}`, key: `forums:errors.${result.error}` }],
      422,
    );
  }
  flash(req, `forums:moderateTopic.${action}Done`);
  res.redirect(303, `/topics/${found.topic.id}`);
}

async function moveTopic(ctx: AppContext, req: Req, res: Res) {
  const found = await moderatedTopic(ctx.db, req.user, String(req.params.id));
  const form = parseForm(validateMove, formReason(req.body, "move"));
  if (!form.ok) return topicModerationPage(ctx, req, res, req.body as object, form.errors);
  const result = await ctx.transaction((tx) =>
    moderation.moveTopic(tx, forumDeps(ctx), {
      ...found,
      targetId: form.value.groupId,
      moderator: req.user!,
      reason: form.value.reason,
    }),
  );
  if (!result.ok) {
    const failed = failure(result.error);
    return topicModerationPage(
      ctx,
      req,
      res,
      req.body as object,
      [{ field: "reason-move", key: failed.key }],
      failed.status,
    );
  }
  flash(req, "forums:moderateTopic.moveDone", { group: result.value.target.name });
  res.redirect(303, `/topics/${found.topic.id}`);
}

async function ban(ctx: AppContext, req: Req, res: Res) {
  const found = await moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const form = parseForm(validateBan, req.body);
  if (!form.ok) return renderMembersPage(ctx, req, res, found, form.errors, req.body as object);
  const result = await ctx.transaction((tx) =>
    moderation.ban(tx, forumDeps(ctx), {
      group: found.group,
      username: form.value.member,
      days: form.value.days === "forever" ? null : Number(form.value.days),
      reason: form.value.reason,
      moderator: req.user!,
    }),
  );
  if (!result.ok) {
    const field = result.error === "reason_required" ? "reason" : "member";
    const errors = [{ field, key: `forums:errors.${result.error}` }];
    return renderMembersPage(ctx, req, res, found, errors, req.body as object);
  }
  flash(req, "forums:bans.done", { name: result.value.user.displayName });
  res.redirect(303, `/groups/${found.group.slug}/members`);
}

async function liftBan(ctx: AppContext, req: Req, res: Res) {
  const found = await moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const form = parseForm(validateReason, req.body);
  const result = await ctx.transaction((tx) =>
    moderation.unban(tx, {
      group: found.group,
      userId: String(req.params.userId),
      moderator: req.user!,
      reason: form.ok ? form.value.reason : undefined,
    }),
  );
  flash(req, result.ok ? "forums:bans.lifted" : `forums:errors.${result.error}`);
  res.redirect(303, `/groups/${found.group.slug}/members`);
}
