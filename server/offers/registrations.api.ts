// The JSON API of registrations: booking (local or on another instance), cancelling, mine, and an
// offer's list for staff.
import type express from "express";
import type { ApiRegistry } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import type { User } from "../accounts/accounts.repo.ts";
import * as repo from "./offers.repo.ts";
import { listForOffer, listForUser } from "./registrations.repo.ts";
import {
  cancelOwn,
  register,
  type PersonsRequest,
  type RegisterError,
} from "./registrations.service.ts";
import { REGISTER_STATUS, refusalValues, registerMessage } from "./booking.routes.ts";
import { REGISTRATION_JSON } from "./offers.api-schemas.ts";
import { bookingDeps } from "./booking.types.ts";

/** The offer of `req.params.id` if the caller may see it (404 otherwise). */
export type VisibleOffer = (req: express.Request & { apiUser?: User }) => Promise<repo.Offer>;

export function registrationsApi(api: ApiRegistry, ctx: AppContext, visible: VisibleOffer): void {
  const deps = bookingDeps(ctx);

  api.add<{ persons: number | string[]; includeMe?: boolean; birthYear?: number }>({
    method: "post",
    path: "/offers/:id/registrations",
    summary: "Register: persons is a number of persons, or the ids of family members who come",
    tags: ["registrations"],
    auth: "user",
    body: {
      type: "object",
      required: ["persons"],
      additionalProperties: false,
      properties: {
        persons: {
          anyOf: [
            { type: "integer", minimum: 1, maximum: 50 },
            {
              type: "array",
              items: { type: "string", format: "uuid" },
              maxItems: 50,
              uniqueItems: true,
            },
          ],
        },
        includeMe: {
          type: "boolean",
          description: "With family member ids: whether I come too (true)",
        },
        birthYear: {
          type: "integer",
          minimum: 1900,
          maximum: 2200,
          description: "My birth year, for age rules",
        },
      },
    },
    responses: {
      201: {
        description: "Registered: confirmed, or on the waiting list at this position",
        schema: {
          type: "object",
          properties: {
            id: { type: "string" },
            status: { type: "string", enum: ["confirmed", "waitlisted"] },
            position: { type: "integer" },
            persons: { type: "integer" },
          },
        },
      },
      202: {
        description:
          "Another instance's offer: the request is sent, pending until that instance answers",
        schema: {
          type: "object",
          properties: {
            id: { type: "string" },
            status: { type: "string", enum: ["pending"] },
            persons: { type: "integer" },
          },
        },
      },
      409: { description: "Closed, not open yet, or already registered" },
      422: { description: "Persons refused: too many, unknown family member, or age rules" },
    },
    async handler(req, res) {
      const offer = await visible(req);
      const { persons, includeMe, birthYear } = req.body;
      const request: PersonsRequest =
        typeof persons === "number"
          ? { count: persons, ...(birthYear === undefined ? {} : { birthYears: [birthYear] }) }
          : { familyMemberIds: persons, includeSelf: includeMe ?? true, selfBirthYear: birthYear };
      const result = await ctx.transaction((tx) =>
        register(tx, deps, {
          offerId: offer.id,
          participant: { kind: "local", userId: req.apiUser!.id },
          persons: request,
        }),
      );
      if (!result.ok) {
        const detail = registerMessage(req.t, result.error, result.details, offer);
        throw new HttpError(REGISTER_STATUS[result.error], "offers:booking.refused", {
          detail,
          fields:
            REGISTER_STATUS[result.error] === 422
              ? [{ field: "persons", key: "offers:booking.refused", detail }]
              : [],
        });
      }
      // Another instance's offer: sent, pending until that instance answers.
      res.status(result.value.status === "pending" ? 202 : 201).json(result.value);
    },
  });

  api.add({
    method: "delete",
    path: "/offers/:id/registrations/me",
    summary: "Cancel my registration (until the offer's cancellation deadline)",
    tags: ["registrations"],
    auth: "user",
    responses: { 204: { description: "Cancelled" }, 409: { description: "Deadline passed" } },
    async handler(req, res) {
      const offer = await visible(req);
      const result = await ctx.transaction((tx) =>
        cancelOwn(tx, deps, offer.id, { kind: "local", userId: req.apiUser!.id }),
      );
      if (!result.ok)
        throw new HttpError(
          result.error === "not_found" ? 404 : 409,
          "offers:booking.cancelRefused",
          {
            detail: req.t(`offers:booking.errors.${result.error}`),
          },
        );
      res.status(204).end();
    },
  });

  api.add({
    method: "get",
    path: "/me/registrations",
    summary: "My registrations, with my rank on waiting lists",
    tags: ["registrations"],
    auth: "user",
    responses: {
      200: { description: "Registrations", schema: { type: "array", items: REGISTRATION_JSON } },
    },
    async handler(req, res) {
      const rows = await listForUser(ctx.db, req.apiUser!.id);
      res.json(
        rows.map((r) => ({
          id: r.id,
          offerId: r.offerId,
          offerTitle: r.offer.title,
          startsAt: r.offer.startsAt.toISOString(),
          status: r.refusal ? "rejected" : r.status,
          ...(r.refusal
            ? {
                reason: registerMessage(
                  req.t,
                  r.refusal as RegisterError,
                  refusalValues(r.refusal, r.offer),
                  r.offer,
                ),
              }
            : {}),
          reasonCode: r.refusal,
          origin: r.remote ? "remote" : "local",
          persons: r.persons,
          position: r.position,
          createdAt: r.createdAt.toISOString(),
        })),
      );
    },
  });

  api.add({
    method: "get",
    path: "/offers/:id/registrations",
    summary: "Registrations of an offer (staff)",
    tags: ["registrations"],
    auth: STAFF_ROLES,
    responses: { 200: { description: "Registrations", schema: { type: "array" } } },
    async handler(req, res) {
      const offer = await repo.findOffer(ctx.db, String(req.params.id));
      if (!offer) throw new HttpError(404, "errors.notFound");
      const rows = await listForOffer(ctx.db, offer.id);
      res.json(
        rows.map((r) => ({
          id: r.id,
          status: r.status,
          position: r.position,
          name: r.name,
          email: r.email,
          actorUrl: r.actorUrl,
          instance: r.instance,
          persons: r.persons,
          people: r.people,
          attended: r.attended,
          createdAt: r.createdAt.toISOString(),
        })),
      );
    },
  });
}
