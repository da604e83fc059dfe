// The JSON API of offers: the catalogue, one offer and writing offers (staff); registrations are
// in registrations.api.ts.
import type express from "express";
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { handlers } from "../http/handlers.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { searchOffers, type OfferCard } from "./catalogue.repo.ts";
import { catalogueQuery, readQuery, toFilters } from "./catalogue.params.ts";
import * as repo from "./offers.repo.ts";
import {
  apiToInput,
  DEFAULT_TIMEZONE,
  offerCreateApiSchema,
  offerPatchApiSchema,
  type OfferApiBody,
} from "./offers.schemas.ts";
import * as offers from "./offers.service.ts";
import { bookingDeps } from "./booking.types.ts";
import { OFFER_JSON, OFFER_SUMMARY_JSON } from "./offers.api-schemas.ts";
import { registrationsApi } from "./registrations.api.ts";

export const summaryJson = (card: OfferCard, publicUrl: URL) => ({
  id: card.id,
  url: new URL(`/offers/${card.id}`, publicUrl).href,
  title: card.title,
  summary: card.summary,
  category: { slug: card.categorySlug, name: card.categoryNameFr },
  audiences: card.audiences,
  startsAt: card.startsAt.toISOString(),
  endsAt: card.endsAt.toISOString(),
  timezone: card.timezone,
  location: { kind: card.locationKind, city: card.city, postalCode: card.postalCode },
  capacity: card.capacity,
  placesLeft: card.placesLeft,
  price: { free: card.priceTiers.length === 0, fromCents: card.minPriceCents },
  ...(card.distanceKm === null ? {} : { distanceKm: Math.round(card.distanceKm * 10) / 10 }),
  origin: card.remote ? "remote" : "local",
  ...(card.remote ? { territory: card.remote } : {}),
  status: card.status,
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function offerJson(offer: repo.Offer, publicUrl: URL) {
  return {
    id: offer.id,
    url: new URL(`/offers/${offer.id}`, publicUrl).href,
    title: offer.title,
    summary: offer.summary,
    descriptionHtml: offer.descriptionHtml,
    category: { slug: offer.category.slug, name: offer.category.nameFr },
    audiences: offer.audiences,
    startsAt: offer.startsAt.toISOString(),
    endsAt: offer.endsAt.toISOString(),
    timezone: offer.timezone,
    registrationOpensAt: iso(offer.registrationOpensAt),
    registrationClosesAt: iso(offer.registrationClosesAt),
    cancellationDeadline: iso(offer.cancellationDeadline),
    location: {
      kind: offer.locationKind,
      address: offer.address,
      postalCode: offer.postalCode,
      city: offer.city,
      latitude: offer.latitude,
      longitude: offer.longitude,
    },
    capacity: offer.capacity,
    placesLeft: offer.placesLeft,
    maxPersonsPerRegistration: offer.maxPersonsPerRegistration,
    minAge: offer.minAge,
    maxAge: offer.maxAge,
    priceTiers: offer.priceTiers,
    organiser: offer.organiser,
    status: offer.status,
    visibility: offer.visibility,
    icsUrl: new URL(`/offers/${offer.id}.ics`, publicUrl).href,
    origin: offer.remote ? "remote" : "local",
    ...(offer.remote
      ? {
          territory: {
            name: offer.remote.territory,
            host: offer.remote.host,
            uri: offer.remote.uri,
            url: offer.remote.url,
          },
        }
      : {}),
  };
}

const isStaff = (user: User | undefined) => user !== undefined && STAFF_ROLES.includes(user.role);

type Res = express.Response;
type Api<B, Q = unknown> = ApiRequest<B, Q>;

/** The offer of the path, when the caller may see it (drafts: staff; non-public: signed in). */
async function visible(ctx: AppContext, req: express.Request & { apiUser?: User }) {
  const offer = await repo.findOffer(ctx.db, String(req.params.id));
  if (
    !offer ||
    (offer.status === "draft" && !isStaff(req.apiUser)) ||
    (offer.visibility !== "public" && !req.apiUser)
  )
    throw new HttpError(404, "errors.notFound");
  return offer;
}

const invalid = (details: Record<string, unknown> | undefined, t: express.Request["t"]) =>
  new HttpError(422, "errors.validation", {
    fields: ((details?.problems as offers.OfferProblem[] | undefined) ?? []).map((p) => ({
      field: p.field,
      key: p.key,
      detail: t(p.key, { taken: details?.taken }),
    })),
  });

export function offersApi(api: ApiRegistry, ctx: AppContext): void {
  const on = handlers(ctx);

  api.add({
    method: "get",
    path: "/offer-categories",
    summary: "Categories of offers",
    tags: ["offers"],
    auth: "none",
    responses: { 200: { description: "Categories", schema: { type: "array" } } },
    handler: on(listCategories),
  });

  api.add<unknown, Record<string, unknown>>({
    method: "get",
    path: "/offers",
    summary: "The catalogue: published offers, filtered, sorted by start date, paginated",
    tags: ["offers"],
    auth: "optional",
    query: {
      properties: {
        ...catalogueQuery.properties,
        perPage: { type: "integer", minimum: 1, maximum: 100 },
      },
    },
    responses: {
      200: {
        description: "One page of offers",
        schema: {
          type: "object",
          properties: {
            total: { type: "integer", description: "Matches, counted up to 1,000" },
            totalCapped: { type: "boolean", description: "More than 1,000 matches" },
            hasMore: { type: "boolean", description: "A next page exists" },
            page: { type: "integer" },
            perPage: { type: "integer" },
            items: { type: "array", items: OFFER_SUMMARY_JSON },
          },
        },
      },
    },
    handler: on(catalogue),
  });

  api.add({
    method: "get",
    path: "/offers/:id",
    summary: "One offer, with the places left",
    tags: ["offers"],
    auth: "optional",
    responses: { 200: { description: "The offer", schema: OFFER_JSON } },
    handler: on(showOffer),
  });

  api.add<OfferApiBody>({
    method: "post",
    path: "/offers",
    summary: "Create an offer (draft unless publish is true)",
    tags: ["offers"],
    auth: STAFF_ROLES,
    body: offerCreateApiSchema,
    responses: { 201: { description: "Created", schema: OFFER_JSON } },
    handler: on(createOffer),
  });

  api.add<OfferApiBody>({
    method: "patch",
    path: "/offers/:id",
    summary:
      "Edit an offer; status published publishes it, cancelled cancels it and tells every registrant",
    tags: ["offers"],
    auth: STAFF_ROLES,
    body: offerPatchApiSchema,
    responses: {
      200: { description: "The offer", schema: OFFER_JSON },
      409: { description: "Status change not allowed" },
    },
    handler: on(updateOffer),
  });

  api.add({
    method: "delete",
    path: "/offers/:id",
    summary: "Delete a draft or cancelled offer; other instances then see a Tombstone",
    tags: ["offers"],
    auth: STAFF_ROLES,
    responses: { 204: { description: "Deleted" }, 409: { description: "Still published" } },
    handler: on(deleteOffer),
  });
  registrationsApi(api, ctx, (req) => visible(ctx, req));
}

async function listCategories(ctx: AppContext, req: Api<unknown>, res: Res) {
  res.json(
    (await repo.listCategories(ctx.db)).map((c) => ({
      slug: c.slug,
      nameFr: c.nameFr,
      nameEn: c.nameEn,
    })),
  );
}

async function catalogue(ctx: AppContext, req: Api<unknown, Record<string, unknown>>, res: Res) {
  const publicUrl = ctx.config.publicUrl;
  const { query } = readQuery(req.query as Record<string, unknown>);
  const { filters, errors } = await toFilters(ctx.db, query);
  if (errors.length)
    throw new HttpError(400, "errors.validation", {
      fields: errors.map((e) => ({ ...e, detail: req.t(e.key) })),
    });
  const page = query.page ?? 1;
  const perPage = Number(req.validQuery.perPage ?? 50);
  const result = await searchOffers(
    ctx.db,
    filters,
    { member: req.apiUser !== undefined },
    { limit: perPage, offset: (page - 1) * perPage },
  );
  res.json({
    total: result.total,
    totalCapped: result.totalCapped,
    hasMore: result.hasMore,
    page,
    perPage,
    items: result.items.map((card) => summaryJson(card, publicUrl)),
  });
}

async function showOffer(ctx: AppContext, req: Api<unknown>, res: Res) {
  const publicUrl = ctx.config.publicUrl;
  const offer = await visible(ctx, req);
  res.json(offerJson(offer, publicUrl));
}

async function createOffer(ctx: AppContext, req: Api<OfferApiBody>, res: Res) {
  const deps = bookingDeps(ctx);
  const publicUrl = ctx.config.publicUrl;
  const body = req.body;
  const category = await repo.findCategory(ctx.db, body.category!);
  if (!category)
    throw invalid(
      { problems: [{ field: "categoryId", key: "offers:edit.errors.category" }] },
      req.t,
    );
  const base: offers.OfferInput = {
    title: "",
    summary: "",
    description: "",
    categoryId: category.id,
    audiences: ["tous"],
    startsAt: new Date(),
    endsAt: new Date(),
    timezone: DEFAULT_TIMEZONE,
    registrationOpensAt: null,
    registrationClosesAt: null,
    cancellationDeadline: null,
    locationKind: "place",
    address: "",
    postalCode: null,
    city: "",
    latitude: null,
    longitude: null,
    onlineUrl: null,
    capacity: 1,
    maxPersonsPerRegistration: 1,
    minAge: null,
    maxAge: null,
    priceTiers: [],
    organiserSlvieId: null,
    visibility: "public",
  };
  const result = await ctx.transaction((tx) =>
    offers.createOffer(
      tx,
      deps,
      req.apiUser!.id,
      apiToInput(body, base, category.id),
      body.publish,
    ),
  );
  if (!result.ok) throw invalid(result.details, req.t);
  res
    .status(201)
    .location(`/api/v1/offers/${result.value.id}`)
    .json(offerJson(result.value, publicUrl));
}

async function updateOffer(ctx: AppContext, req: Api<OfferApiBody>, res: Res) {
  const deps = bookingDeps(ctx);
  const publicUrl = ctx.config.publicUrl;
  const offer = await repo.findOffer(ctx.db, String(req.params.id));
  if (!offer || offer.remote) throw new HttpError(404, "errors.notFound");
  const { status, cancellationReason, ...changes } = req.body;
  const category = changes.category
    ? await repo.findCategory(ctx.db, changes.category)
    : offer.category;
  if (!category)
    throw invalid(
      { problems: [{ field: "categoryId", key: "offers:edit.errors.category" }] },
      req.t,
    );
  if (status === "cancelled" && !cancellationReason)
    throw new HttpError(422, "errors.validation", {
      fields: [
        {
          field: "cancellationReason",
          key: "offers:cancelOffer.reasonRequired",
          detail: req.t("offers:cancelOffer.reasonRequired"),
        },
      ],
    });
  await ctx.transaction(async (tx) => {
    if (Object.keys(changes).length > 0) {
      const base = {
        ...offer,
        description: offer.descriptionHtml,
        categoryId: offer.category.id,
        organiserSlvieId: offer.organiser.slvieId,
      };
      const result = await offers.updateOffer(
        tx,
        deps,
        offer.id,
        apiToInput(changes, base, category.id),
      );
      if (!result.ok) throw invalid(result.details, req.t);
    }
    if (status === "published") {
      const published = await offers.publishOffer(tx, deps, offer.id);
      if (!published.ok && offer.status !== "published")
        throw new HttpError(
          409,
          published.error === "past" ? "offers:staff.pastNotPublished" : "offers:staff.notDraft",
        );
    }
    if (status === "cancelled") {
      const cancelled = await offers.cancelOffer(tx, deps, offer.id, cancellationReason!);
      if (!cancelled.ok) throw new HttpError(409, "offers:cancelOffer.notCancellable");
    }
  });
  const updated = (await repo.findOffer(ctx.db, offer.id))!;
  res.json(offerJson(updated, publicUrl));
}

async function deleteOffer(ctx: AppContext, req: Api<unknown>, res: Res) {
  const deps = bookingDeps(ctx);
  const result = await ctx.transaction((tx) => offers.deleteOffer(tx, deps, String(req.params.id)));
  if (!result.ok)
    throw new HttpError(result.error === "not_found" ? 404 : 409, "offers:staff.notDeletable");
  res.status(204).end();
}
