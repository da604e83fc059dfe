import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import { accountJson, ACCOUNT_SCHEMA } from "../accounts/accounts.api.ts";
import type { Language, NotificationPrefs } from "../accounts/accounts.tables.ts";
import { HttpError } from "../http/errors.ts";
import * as members from "./members.service.ts";
import {
  deleteAccountSchema,
  familyApiSchema,
  profileApiSchema,
  type FamilyForm,
} from "./members.schemas.ts";
import { deleteAccount, deletionDeps, type ContentChoice } from "../privacy/deletion.service.ts";

const FAMILY_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    firstName: { type: "string" },
    relation: { type: "string" },
    birthYear: { type: "integer" },
  },
} as const;

interface ProfilePatch {
  displayName?: string;
  username?: string;
  homeSlvieId?: string | null;
  language?: Language;
  discoverable?: boolean;
  notifications?: Partial<NotificationPrefs>;
}

export function membersApi(api: ApiRegistry, ctx: AppContext): void {
  api.add<ProfilePatch>({
    method: "patch",
    path: "/me",
    summary: "Edit my profile and notification preferences",
    tags: ["members"],
    auth: "user",
    body: profileApiSchema,
    responses: {
      200: { description: "The updated account", schema: ACCOUNT_SCHEMA },
      409: { description: "Username taken" },
    },
    async handler(req, res) {
      const user = req.apiUser!;
      const body = req.body;
      const result = await members.updateProfile(ctx.db, user, {
        displayName: body.displayName ?? user.displayName,
        username: body.username ?? user.username,
        homeSlvieId: body.homeSlvieId === undefined ? user.homeSlvieId : body.homeSlvieId,
        language: body.language ?? user.language,
        discoverable: body.discoverable ?? user.discoverable,
      });
      if (!result.ok)
        throw new HttpError(
          result.error === "slvie_unknown" ? 400 : 409,
          `members:profile.errors.${result.error}`,
        );
      if (body.notifications) {
        await members.updateNotifications(ctx.db, user.id, {
          ...user.notificationPrefs,
          ...body.notifications,
        });
      }
      res.json(accountJson(result.value));
    },
  });

  api.add({
    method: "get",
    path: "/me/family",
    summary: "My family members (ayants droit)",
    tags: ["members"],
    auth: "user",
    responses: {
      200: { description: "Family members", schema: { type: "array", items: FAMILY_SCHEMA } },
    },
    async handler(req, res) {
      res.json(await members.listFamily(ctx.db, req.apiUser!.id));
    },
  });

  api.add<FamilyForm>({
    method: "post",
    path: "/me/family",
    summary: "Add a family member",
    tags: ["members"],
    auth: "user",
    body: familyApiSchema,
    responses: { 201: { description: "Added", schema: FAMILY_SCHEMA } },
    async handler(req, res) {
      const result = await members.addFamilyMember(ctx.db, req.apiUser!.id, req.body);
      if (!result.ok) {
        throw new HttpError(400, "errors.validation", {
          fields: [
            {
              field: result.error === "birth_year" ? "birthYear" : "firstName",
              key: `members:family.errors.${result.error}`,
            },
          ],
        });
      }
      res.status(201).json(result.value);
    },
  });

  api.add({
    method: "delete",
    path: "/me/family/:id",
    summary: "Remove a family member",
    tags: ["members"],
    auth: "user",
    responses: { 204: { description: "Removed" } },
    async handler(req, res) {
      if (!(await members.removeFamilyMember(ctx.db, req.apiUser!.id, String(req.params.id)))) {
        throw new HttpError(404, "errors.notFound");
      }
      res.status(204).end();
    },
  });

  api.add<{ password: string; content?: ContentChoice }>({
    method: "delete",
    path: "/me",
    summary: "Delete my account and its personal data",
    tags: ["members"],
    auth: "user",
    body: deleteAccountSchema,
    responses: {
      204: { description: "Deleted" },
      403: { description: "Wrong password, or last admin" },
    },
    async handler(req, res) {
      const result = await ctx.transaction((tx) =>
        deleteAccount(tx, deletionDeps(ctx, req), req.apiUser!, {
          password: req.body.password,
          content: req.body.content ?? "anonymise",
        }),
      );
      if (!result.ok) throw new HttpError(403, `members:delete.errors.${result.error}`);
      await ctx.sessions.revokeUser(req.apiUser!.id);
      res.status(204).end();
    },
  });
}
