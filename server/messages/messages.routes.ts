// The inbox and a conversation's page: reply, agree to show one's contact details, block, report.
// Moderators read the reported conversations at /messages/reports.
import type express from "express";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, requireRole, requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import type { FieldError } from "../http/errors.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import * as messages from "./messages.service.ts";

const text = (value: unknown, max: number) =>
  typeof value === "string" ? value.slice(0, max + 1) : "";

export function messageRoutes(router: express.Router, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };
  router.use("/messages", (_req, res, next) => {
    res.locals.tz = DEFAULT_TIMEZONE;
    next();
  });

  router.get("/messages", requireUser, async (req, res) => {
    const items = await messages.listConversations(ctx.db, req.user!.id);
    res.render("messages/inbox", { title: req.t("messages:title"), items });
  });

  router.get("/messages/reports", requireRole(...MODERATOR_ROLES), async (req, res) => {
    const reports = await messages.openReports(ctx.db);
    res.render("messages/reports", { title: req.t("messages:reports.title"), reports });
  });

  router.post("/messages/reports/:id", requireRole(...MODERATOR_ROLES), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const closed = await messages.closeReport(ctx.db, {
      reportId: String(req.params.id),
      moderatorId: req.user!.id,
      block: body.block === "on",
    });
    if (!closed.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "messages:reports.closed");
    res.redirect(303, "/messages/reports");
  });

  const page = async (
    req: express.Request,
    res: express.Response,
    options: { status?: number; values?: object; errors?: FieldError[] } = {},
  ) => {
    const conversation = await messages.openConversation(
      ctx.db,
      String(req.params.id),
      req.user!.id,
    );
    if (!conversation) throw new HttpError(404, "errors.notFound");
    renderForm(
      res,
      "messages/conversation",
      ctx.i18n,
      req,
      {
        title: conversation.subject,
        conversation,
        values: options.values,
        errors: options.errors,
      },
      options.status,
    );
  };

  router.get("/messages/:id", requireUser, (req, res) => page(req, res));

  router.post("/messages/:id", requireUser, async (req, res) => {
    const body = text((req.body as Record<string, unknown>).body, messages.BODY_MAX);
    const sent = await ctx.transaction((tx) =>
      messages.sendMessage(tx, deps, {
        conversationId: String(req.params.id),
        userId: req.user!.id,
        body,
      }),
    );
    if (!sent.ok) {
      if (sent.error === "not_found") throw new HttpError(404, "errors.notFound");
      return page(req, res, {
        status: sent.error === "blocked" ? 409 : 422,
        values: { body },
        errors: [{ field: "body", key: `messages:errors.${sent.error}` }],
      });
    }
    res.redirect(303, `/messages/${String(req.params.id)}#last`);
  });

  router.post("/messages/:id/share", requireUser, async (req, res) => {
    const share = (req.body as Record<string, unknown>).share === "on";
    const done = await messages.setSharing(ctx.db, {
      conversationId: String(req.params.id),
      userId: req.user!.id,
      share,
    });
    if (!done.ok) throw new HttpError(404, "errors.notFound");
    flash(req, share ? "messages:shared" : "messages:unshared");
    res.redirect(303, `/messages/${String(req.params.id)}`);
  });

  router.post("/messages/:id/block", requireUser, async (req, res) => {
    const block = (req.body as Record<string, unknown>).block === "on";
    const done = await messages.setBlocked(ctx.db, {
      conversationId: String(req.params.id),
      userId: req.user!.id,
      block,
    });
    if (!done.ok) {
      if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
      throw new HttpError(403, "messages:errors.not_yours");
    }
    flash(req, block ? "messages:blocked" : "messages:unblocked");
    res.redirect(303, `/messages/${String(req.params.id)}`);
  });

  router.post("/messages/:id/report", requireUser, async (req, res) => {
    const reason = text((req.body as Record<string, unknown>).reason, messages.REASON_MAX);
    const done = await messages.reportConversation(ctx.db, {
      conversationId: String(req.params.id),
      userId: req.user!.id,
      reason,
    });
    if (!done.ok) {
      if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
      return page(req, res, {
        status: 422,
        values: { reason },
        errors: [{ field: "reason", key: "messages:errors.reason_required" }],
      });
    }
    flash(req, "messages:reported");
    res.redirect(303, `/messages/${String(req.params.id)}`);
  });
}
