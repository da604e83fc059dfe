import type express from "express";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, requireRole, requireUser } from "../http/auth.ts";
import { type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
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
  readableGroup,
  readablePost,
  readableTopic,
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

export function moderationRoutes(router: express.Router, ctx: AppContext): void {
  const deps = forumDeps(ctx);

  router.get("/groups/:slug/moderation", async (req, res) => {
    const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
    const log = await moderation.logPage(ctx.db, found.group.id, pageParam(req.query.page));
    res.render("forums/log", {
      title: req.t("forums:log.title", { group: found.group.name }),
      ...groupHeader(ctx, found, "log"),
      entries: log.items,
      pager: log.pager,
    });
  });

  const reportsPage = async (
    req: express.Request,
    res: express.Response,
    scope: "group" | "instance",
  ) => {
    const page = pageParam(req.query.page);
    const shown = (list: Awaited<ReturnType<typeof moderation.openReportsPage>>) => ({
      reports: list.items.map((r) => ({ ...r, page: pageOfPosition(r.position) })),
      pager: list.pager,
    });
    if (scope === "instance") {
      const list = await moderation.openReportsPage(ctx.db, { instance: req.user! }, page);
      return res.render("forums/reports", {
        title: req.t("forums:reports.instanceTitle"),
        instanceQueue: true,
        ...shown(list),
      });
    }
    const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
    requireModerator(found.access);
    const list = await moderation.openReportsPage(ctx.db, { groupId: found.group.id }, page);
    res.render("forums/reports", {
      title: req.t("forums:reports.title", { group: found.group.name }),
      ...groupHeader(ctx, found, "reports"),
      ...shown(list),
    });
  };

  router.get("/groups/:slug/reports", requireUser, (req, res) => reportsPage(req, res, "group"));
  router.get("/forums/reports", requireRole(...MODERATOR_ROLES), (req, res) =>
    reportsPage(req, res, "instance"),
  );

  router.post("/groups/:slug/reports/:reportId/dismiss", requireUser, async (req, res) => {
    const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
    requireModerator(found.access);
    const form = parseForm(validateReason, req.body);
    const result = await ctx.transaction((tx) =>
      moderation.dismissReport(tx, {
        group: found.group,
        reportId: String(req.params.reportId),
        moderator: req.user!,
        reason: form.ok ? form.value.reason : undefined,
      }),
    );
    flash(req, result.ok ? "forums:reports.dismissed" : `forums:errors.${result.error}`);
    const back = (req.body as { back?: string }).back === "instance";
    res.redirect(303, back ? "/forums/reports" : `/groups/${found.group.slug}/reports`);
  });

  // Report, remove and restore share one page: the post, and a reason to give.
  const postActionPage = async (
    req: express.Request,
    res: express.Response,
    action: moderation.PostAction,
    values: object = {},
    errors?: FieldError[],
    status?: number,
  ) => {
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
  };

  for (const action of ["report", "remove", "restore"] as const) {
    router.get(`/posts/:id/${action}`, requireUser, (req, res) => postActionPage(req, res, action));
    router.post(`/posts/:id/${action}`, requireUser, async (req, res) => {
      const found = await readablePost(ctx.db, req.user, String(req.params.id));
      if (action !== "report") requireModerator(found.access);
      const form = parseForm(validateReason, req.body);
      if (!form.ok) return postActionPage(req, res, action, req.body as object, form.errors);
      const result = await ctx.transaction((tx) =>
        moderation.actOnPost(tx, deps, action, {
          ...found,
          user: req.user!,
          reason: form.value.reason,
        }),
      );
      if (!result.ok) {
        const failed = failure(result.error);
        return postActionPage(
          req,
          res,
          action,
          req.body as object,
          [{ field: "reason", key: failed.key }],
          failed.status,
        );
      }
      flash(req, `forums:${action}.done`);
      const position = found.post.position;
      res.redirect(303, postPath(found.topic.id, position));
    });
  }

  const topicModerationPage = async (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors?: FieldError[],
    status?: number,
  ) => {
    const found = await readableTopic(ctx.db, req.user, String(req.params.id));
    requireModerator(found.access);
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
  };

  router.get("/topics/:id/moderate", requireUser, (req, res) => topicModerationPage(req, res));

  for (const action of ["lock", "unlock", "pin", "unpin"] as const) {
    router.post(`/topics/:id/${action}`, requireUser, async (req, res) => {
      const found = await readableTopic(ctx.db, req.user, String(req.params.id));
      requireModerator(found.access);
      const form = parseForm(validateReason, formReason(req.body, action));
      const reason = form.ok ? form.value.reason : undefined;
      const result = await ctx.transaction((tx) =>
        moderation.flagTopic(tx, deps, { ...found, moderator: req.user!, action, reason }),
      );
      if (!result.ok) {
        return topicModerationPage(
          req,
          res,
          { ...(req.body as object), action },
          [{ field: `reason-${action}`, key: `forums:errors.${result.error}` }],
          422,
        );
      }
      flash(req, `forums:moderateTopic.${action}Done`);
      res.redirect(303, `/topics/${found.topic.id}`);
    });
  }

  router.post("/topics/:id/move", requireUser, async (req, res) => {
    const found = await readableTopic(ctx.db, req.user, String(req.params.id));
    requireModerator(found.access);
    const form = parseForm(validateMove, formReason(req.body, "move"));
    if (!form.ok) return topicModerationPage(req, res, req.body as object, form.errors);
    const result = await ctx.transaction((tx) =>
      moderation.moveTopic(tx, deps, {
        ...found,
        targetId: form.value.groupId,
        moderator: req.user!,
        reason: form.value.reason,
      }),
    );
    if (!result.ok) {
      const failed = failure(result.error);
      return topicModerationPage(
        req,
        res,
        req.body as object,
        [{ field: "reason-move", key: failed.key }],
        failed.status,
      );
    }
    flash(req, "forums:moderateTopic.moveDone", { group: result.value.target.name });
    res.redirect(303, `/topics/${found.topic.id}`);
  });

  router.post("/groups/:slug/bans", requireUser, async (req, res) => {
    const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
    requireModerator(found.access);
    const form = parseForm(validateBan, req.body);
    if (!form.ok) return renderMembersPage(ctx, req, res, found, form.errors, req.body as object);
    const result = await ctx.transaction((tx) =>
      moderation.ban(tx, deps, {
        group: found.group,
        username: form.value.member,
        days: form.value.days === "forever" ? null : Number(form.value.days),
        reason: form.value.reason,
        moderator: req.user!,
      }),
    );
    if (!result.ok) {
      const field = result.error === "reason_required" ? "reason" : "member";
      return renderMembersPage(
        ctx,
        req,
        res,
        found,
        [{ field, key: `forums:errors.${result.error}` }],
        req.body as object,
      );
    }
    flash(req, "forums:bans.done", { name: result.value.user.displayName });
    res.redirect(303, `/groups/${found.group.slug}/members`);
  });

  router.post("/groups/:slug/bans/:userId/lift", requireUser, async (req, res) => {
    const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
    requireModerator(found.access);
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
  });
}
