// In-app messages in the JSON API: my conversations, one conversation, a reply.
import type { ApiRegistry } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import * as messages from "./messages.service.ts";

const SUMMARY = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    subject: { type: "string" },
    with: { type: "string" },
    unread: { type: "boolean" },
    blocked: { type: "boolean" },
    lastMessageAt: { type: "string", format: "date-time" },
  },
} as const;

const CONVERSATION = {
  type: "object",
  properties: {
    ...SUMMARY.properties,
    contact: {
      type: ["object", "null"],
      description: "The other member's details, once both agreed to exchange them",
      properties: { name: { type: "string" }, email: { type: "string" } },
    },
    messages: {
      type: "array",
      items: {
        type: "object",
        properties: {
          mine: { type: "boolean" },
          author: { type: "string" },
          body: { type: "string" },
          createdAt: { type: "string", format: "date-time" },
        },
      },
    },
  },
} as const;

export function messagesApi(api: ApiRegistry, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };

  api.add({
    method: "get",
    path: "/messages",
    summary: "My conversations, latest first, and how many have unread messages",
    tags: ["messages"],
    auth: "user",
    responses: {
      200: {
        description: "Conversations",
        schema: {
          type: "object",
          properties: { unread: { type: "integer" }, items: { type: "array", items: SUMMARY } },
        },
      },
    },
    async handler(req, res) {
      const userId = req.apiUser!.id;
      const [items, unread] = await Promise.all([
        messages.listConversations(ctx.db, userId),
        messages.countUnreadConversations(ctx.db, userId),
      ]);
      res.json({
        unread,
        items: items.map((c) => ({
          id: c.id,
          subject: c.subject,
          with: c.other,
          unread: c.unread,
          blocked: c.blocked,
          lastMessageAt: c.lastMessageAt.toISOString(),
        })),
      });
    },
  });

  api.add({
    method: "get",
    path: "/messages/:id",
    summary: "A conversation of mine (reading it marks it read)",
    tags: ["messages"],
    auth: "user",
    responses: { 200: { description: "The conversation", schema: CONVERSATION } },
    async handler(req, res) {
      const c = await messages.openConversation(ctx.db, String(req.params.id), req.apiUser!.id);
      if (!c) throw new HttpError(404, "errors.notFound");
      res.json({
        id: c.id,
        subject: c.subject,
        with: c.other,
        unread: c.unread,
        blocked: c.blocked,
        lastMessageAt: c.lastMessageAt.toISOString(),
        contact: c.contact,
        messages: c.messages.map((m) => ({
          mine: m.mine,
          author: m.author,
          body: m.body,
          createdAt: m.createdAt.toISOString(),
        })),
      });
    },
  });

  api.add<{ body: string }>({
    method: "post",
    path: "/messages/:id",
    summary: "Reply in a conversation of mine",
    tags: ["messages"],
    auth: "user",
    body: {
      type: "object",
      required: ["body"],
      additionalProperties: false,
      properties: { body: { type: "string", minLength: 1, maxLength: messages.BODY_MAX } },
    },
    responses: {
      204: { description: "Sent" },
      409: { description: "The conversation is blocked" },
    },
    async handler(req, res) {
      const sent = await ctx.transaction((tx) =>
        messages.sendMessage(tx, deps, {
          conversationId: String(req.params.id),
          userId: req.apiUser!.id,
          body: req.body.body,
        }),
      );
      if (!sent.ok) {
        if (sent.error === "not_found") throw new HttpError(404, "errors.notFound");
        if (sent.error === "blocked") throw new HttpError(409, "messages:errors.blocked");
        throw new HttpError(422, `messages:errors.${sent.error}`);
      }
      res.status(204).end();
    },
  });
}
