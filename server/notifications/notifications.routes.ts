import type express from "express";
import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import { requireUser } from "../http/auth.ts";
import { flash } from "../http/forms.ts";
import { HttpError } from "../http/errors.ts";
import * as notifications from "./notifications.service.ts";

const PAGE = 30;

function beforeParam(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function notificationRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/notifications", requireUser, async (req, res) => {
    const items = await notifications.listNotifications(
      ctx.db,
      req.user!.id,
      PAGE + 1,
      beforeParam(req.query.before),
    );
    const page = items.slice(0, PAGE);
    res.render("notifications/list", {
      title: req.t("notifications:title"),
      items: page.map((n) => ({
        ...n,
        message: notifications.renderNotification(ctx.i18n, req.lang, n),
      })),
      older: items.length > PAGE ? page.at(-1)!.createdAt.toISOString() : undefined,
    });
  });

  // Opening a notice marks it read, then follows its link.
  router.get("/notifications/:id", requireUser, async (req, res) => {
    const found = await notifications.findNotification(ctx.db, req.user!.id, String(req.params.id));
    if (!found) throw new HttpError(404, "errors.notFound");
    await notifications.markRead(ctx.db, req.user!.id, [found.id]);
    res.redirect(303, found.link ?? "/notifications");
  });

  router.post("/notifications/read", requireUser, async (req, res) => {
    await notifications.markRead(ctx.db, req.user!.id);
    flash(req, "notifications:allRead");
    res.redirect(303, "/notifications");
  });
}

const NOTIFICATION_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    kind: { type: "string" },
    message: { type: "string" },
    link: { type: ["string", "null"] },
    read: { type: "boolean" },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

export function notificationsApi(api: ApiRegistry, ctx: AppContext): void {
  api.add<unknown, { before?: string; limit?: number }>({
    method: "get",
    path: "/notifications",
    summary: "My notifications, newest first",
    tags: ["notifications"],
    auth: "user",
    query: {
      properties: {
        before: { type: "string", format: "date-time" },
        limit: { type: "integer", minimum: 1, maximum: 100 },
      },
    },
    responses: {
      200: {
        description: "Notifications and the unread count",
        schema: {
          type: "object",
          properties: {
            unread: { type: "integer" },
            items: { type: "array", items: NOTIFICATION_SCHEMA },
          },
        },
      },
    },
    async handler(req, res) {
      const user = req.apiUser!;
      const items = await notifications.listNotifications(
        ctx.db,
        user.id,
        req.validQuery.limit ?? 30,
        beforeParam(req.validQuery.before),
      );
      res.json({
        unread: await notifications.countUnread(ctx.db, user.id),
        items: items.map((n) => ({
          id: n.id,
          kind: n.kind,
          message: notifications.renderNotification(ctx.i18n, req.lang, n),
          link: n.link,
          read: n.read,
          createdAt: n.createdAt.toISOString(),
        })),
      });
    },
  });

  api.add<{ ids?: string[] }>({
    method: "post",
    path: "/notifications/read",
    summary: "Mark notifications read (all of them when no ids are given)",
    tags: ["notifications"],
    auth: "user",
    body: {
      type: "object",
      additionalProperties: false,
      properties: {
        ids: { type: "array", items: { type: "string", format: "uuid" }, maxItems: 500 },
      },
    },
    responses: {
      200: {
        description: "How many were marked",
        schema: { type: "object", properties: { marked: { type: "integer" } } },
      },
    },
    async handler(req, res) {
      res.json({ marked: await notifications.markRead(ctx.db, req.apiUser!.id, req.body.ids) });
    },
  });
}
