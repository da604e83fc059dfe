// Staff pages: write and publish offers, cancel them, duplicate them, add images.
import type express from "express";
import multer from "multer";
import type { AppContext } from "../context.ts";
import { requireRole, STAFF_ROLES } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import { listSlvies } from "../instance/instance.repo.ts";
import * as repo from "./offers.repo.ts";
import {
  DEFAULT_TIMEZONE,
  FRENCH_TIMEZONES,
  TIERS,
  formToInput,
  offerFormSchema,
  toLocal,
  type OfferForm,
} from "./offers.schemas.ts";
import * as offers from "./offers.service.ts";
import { bookingDeps } from "./booking.types.ts";
import { addImage, prepareImage } from "./images.service.ts";
import { AUDIENCES, OFFER_STATUSES, VISIBILITIES } from "./offers.tables.ts";
import { categoryName, dateTimeLabel } from "./offers.view.ts";
import { staffList, STAFF_PAGE } from "./staff.repo.ts";

const validateOffer = compileForm<OfferForm>(offerFormSchema);
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 5 },
});

/** An offer as the edit form shows it: local times in its timezone, euros, bands. */
type Req = express.Request;
type Res = express.Response;

const imageBody = uploadRoute("/staff/offers/:id/images", upload.single("image"));

async function offerOr404(ctx: AppContext, req: Req) {
  const offer = await repo.findOffer(ctx.db, String(req.params.id));
  // Other territories' offers are managed on their own instance.
  if (!offer || offer.remote) throw new HttpError(404, "errors.notFound");
  return offer;
}

const problems = (details: Record<string, unknown> | undefined): FieldError[] =>
  ((details?.problems as offers.OfferProblem[] | undefined) ?? []).map((p) => ({
    field: p.field,
    key: p.key,
    values: { taken: details?.taken },
  }));

async function editPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  state: { offer?: repo.Offer; values: object; errors?: FieldError[]; status?: number },
) {
  const [categories, slvies, images] = await Promise.all([
    repo.listCategories(ctx.db),
    listSlvies(ctx.db),
    state.offer ? repo.listImages(ctx.db, state.offer.id) : [],
  ]);
  const values = state.values as Record<string, unknown>;
  renderForm(
    res,
    "offers/edit",
    ctx.i18n,
    req,
    {
      title: state.offer
        ? req.t("offers:edit.editTitle", { title: state.offer.title })
        : req.t("offers:edit.newTitle"),
      offer: state.offer,
      // Only what can succeed is offered: no "Publish" for a past draft, no "Cancel" once over.
      past: state.offer !== undefined && state.offer.startsAt <= new Date(),
      images,
      categories: categories.map((c) => ({ id: c.id, name: categoryName(c, req.lang) })),
      slvies,
      audiences: AUDIENCES,
      visibilities: VISIBILITIES,
      timezones: FRENCH_TIMEZONES,
      tiers: Array.from({ length: TIERS }, (_, i) => ({
        n: i + 1,
        upTo: values[`tier${i + 1}UpTo`] ?? "",
        price: values[`tier${i + 1}Price`] ?? "",
      })),
      values,
      errors: state.errors,
    },
    state.status,
  );
}

function cancelPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  offer: repo.Offer,
  errors?: FieldError[],
) {
  return renderForm(res, "offers/cancel", ctx.i18n, req, {
    title: req.t("offers:cancelOffer.title", { title: offer.title }),
    offer,
    values: req.body as object,
    errors,
  });
}

export function formValues(offer: repo.Offer): Record<string, unknown> {
  const zone = offer.timezone;
  const values: Record<string, unknown> = {
    title: offer.title,
    summary: offer.summary,
    description: offer.descriptionHtml,
    categoryId: offer.category.id,
    audiences: offer.audiences,
    startsAt: toLocal(offer.startsAt, zone),
    endsAt: toLocal(offer.endsAt, zone),
    timezone: zone,
    registrationOpensAt: toLocal(offer.registrationOpensAt, zone),
    registrationClosesAt: toLocal(offer.registrationClosesAt, zone),
    cancellationDeadline: toLocal(offer.cancellationDeadline, zone),
    locationKind: offer.locationKind,
    address: offer.address,
    postalCode: offer.postalCode ?? "",
    city: offer.city,
    latitude: offer.latitude ?? "",
    longitude: offer.longitude ?? "",
    onlineUrl: offer.onlineUrl ?? "",
    capacity: offer.capacity,
    maxPersonsPerRegistration: offer.maxPersonsPerRegistration,
    minAge: offer.minAge ?? "",
    maxAge: offer.maxAge ?? "",
    pricing: offer.priceTiers.length ? "tiers" : "free",
    organiserSlvieId: offer.organiser.slvieId ?? "",
    visibility: offer.visibility,
  };
  offer.priceTiers.forEach((tier, i) => {
    values[`tier${i + 1}UpTo`] = tier.upTo ?? "";
    values[`tier${i + 1}Price`] = (tier.price / 100).toFixed(2).replace(/\.00$/, "");
  });
  return values;
}

export function staffRoutes(router: express.Router, ctx: AppContext): void {
  const staff = requireRole(...STAFF_ROLES);
  const on = handlers(ctx);

  router.get("/staff/offers", staff, on(offerList));

  router.get("/staff/offers/new", staff, on(newOfferForm));
  router.post("/staff/offers", staff, on(createOffer));
  router.get("/staff/offers/:id/edit", staff, on(editForm));
  router.post("/staff/offers/:id", staff, on(saveOffer));
  router.post("/staff/offers/:id/duplicate", staff, on(duplicateOffer));
  router.post("/staff/offers/:id/publish", staff, on(publishOffer));

  router.get("/staff/offers/:id/cancel", staff, on(cancelForm));
  router.post("/staff/offers/:id/cancel", staff, on(cancelOffer));
  router.post("/staff/offers/:id/images", staff, ...imageBody, on(uploadImage));
  router.post("/staff/offers/:id/images/:imageId/delete", staff, on(removeImage));
}

async function offerList(ctx: AppContext, req: Req, res: Res) {
  const status = OFFER_STATUSES.find((s) => s === req.query.status);
  const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 200) : "";
  const page = Math.max(1, Math.min(10_000, Number(req.query.page) || 1));
  const result = await staffList(ctx.db, { status, q: q || undefined, page });
  const qs = new URLSearchParams({ ...(status ? { status } : {}), ...(q ? { q } : {}) });
  res.render("offers/staff-list", {
    title: req.t("offers:staff.title"),
    section: "offers",
    statuses: OFFER_STATUSES,
    status,
    q,
    total: result.total,
    offers: result.items.map((o) => ({
      ...o,
      category: req.lang === "en" ? o.name_en : o.name_fr,
      when: dateTimeLabel(o.starts_at, o.timezone, req.lang),
    })),
    prev: page > 1 ? `?${qs}&page=${page - 1}` : undefined,
    next: page * STAFF_PAGE < result.total ? `?${qs}&page=${page + 1}` : undefined,
  });
}

function newOfferForm(ctx: AppContext, req: Req, res: Res) {
  return editPage(ctx, req, res, {
    values: {
      timezone: DEFAULT_TIMEZONE,
      locationKind: "place",
      visibility: "public",
      pricing: "free",
      maxPersonsPerRegistration: 1,
      audiences: ["tous"],
    },
  });
}

async function createOffer(ctx: AppContext, req: Req, res: Res) {
  const deps = bookingDeps(ctx);
  const form = parseForm(validateOffer, req.body);
  if (!form.ok) return editPage(ctx, req, res, { values: req.body as object, errors: form.errors });
  const result = await ctx.transaction((tx) =>
    offers.createOffer(tx, deps, req.user!.id, formToInput(form.value)),
  );
  if (!result.ok)
    return editPage(ctx, req, res, {
      values: req.body as object,
      errors: problems(result.details),
    });
  // Allowed as a draft (a record of a past activity), but said at once: it cannot be published.
  flash(
    req,
    result.value.startsAt <= new Date() ? "offers:staff.createdPast" : "offers:staff.created",
  );
  res.redirect(303, `/staff/offers/${result.value.id}/edit`);
}

async function editForm(ctx: AppContext, req: Req, res: Res) {
  const offer = await offerOr404(ctx, req);
  await editPage(ctx, req, res, { offer, values: formValues(offer) });
}

async function saveOffer(ctx: AppContext, req: Req, res: Res) {
  const deps = bookingDeps(ctx);
  const offer = await offerOr404(ctx, req);
  const form = parseForm(validateOffer, req.body);
  if (!form.ok)
    return editPage(ctx, req, res, { offer, values: req.body as object, errors: form.errors });
  const result = await ctx.transaction((tx) =>
    offers.updateOffer(tx, deps, offer.id, formToInput(form.value)),
  );
  if (!result.ok) {
    if (result.error === "not_found") throw new HttpError(404, "errors.notFound");
    return editPage(ctx, req, res, {
      offer,
      values: req.body as object,
      errors: problems(result.details),
    });
  }
  flash(
    req,
    result.value.status === "draft" && result.value.startsAt <= new Date()
      ? "offers:staff.savedPast"
      : "offers:staff.saved",
  );
  res.redirect(303, `/staff/offers/${offer.id}/edit`);
}

async function duplicateOffer(ctx: AppContext, req: Req, res: Res) {
  const offer = await offerOr404(ctx, req);
  const result = await ctx.transaction((tx) => offers.duplicateOffer(tx, req.user!.id, offer.id));
  if (!result.ok) throw new HttpError(404, "errors.notFound");
  flash(req, "offers:staff.duplicated");
  res.redirect(303, `/staff/offers/${result.value}/edit`);
}

async function publishOffer(ctx: AppContext, req: Req, res: Res) {
  const deps = bookingDeps(ctx);
  const offer = await offerOr404(ctx, req);
  const result = await ctx.transaction((tx) => offers.publishOffer(tx, deps, offer.id));
  if (!result.ok)
    throw new HttpError(
      409,
      result.error === "past" ? "offers:staff.pastNotPublished" : "offers:staff.notDraft",
    );
  flash(req, "offers:staff.published");
  res.redirect(303, `/offers/${offer.id}`);
}

async function cancelForm(ctx: AppContext, req: Req, res: Res) {
  const offer = await offerOr404(ctx, req);
  if (offer.status === "cancelled" || offer.status === "completed")
    throw new HttpError(409, "offers:cancelOffer.notCancellable");
  cancelPage(ctx, req, res, offer);
}

async function cancelOffer(ctx: AppContext, req: Req, res: Res) {
  const deps = bookingDeps(ctx);
  const offer = await offerOr404(ctx, req);
  const reason = String((req.body as { reason?: unknown }).reason ?? "").trim();
  if (reason.length < 3 || reason.length > 1000)
    return cancelPage(ctx, req, res, offer, [
      { field: "reason", key: "offers:cancelOffer.reasonRequired" },
    ]);
  const result = await ctx.transaction((tx) => offers.cancelOffer(tx, deps, offer.id, reason));
  if (!result.ok) throw new HttpError(409, "offers:cancelOffer.notCancellable");
  flash(req, "offers:cancelOffer.done", { count: result.value.told });
  res.redirect(303, `/staff/offers/${offer.id}/participants`);
}

async function uploadImage(ctx: AppContext, req: Req, res: Res) {
  const offer = await offerOr404(ctx, req);
  const alt = String((req.body as { alt?: unknown }).alt ?? "")
    .trim()
    .slice(0, 200);
  const errors: FieldError[] = [];
  // The type is read from the bytes, never from what the browser says (ADR 0086).
  const prepared = req.file ? await prepareImage(req.file.buffer) : undefined;
  if (!prepared) errors.push({ field: "image", key: "offers:edit.errors.imageMissing" });
  else if (!prepared.ok) errors.push({ field: "image", key: "offers:edit.errors.imageType" });
  if (!alt) errors.push({ field: "alt", key: "offers:edit.errors.alt" });
  if (errors.length || !prepared?.ok)
    return editPage(ctx, req, res, { offer, values: formValues(offer), errors });
  await addImage(ctx.db, offer.id, prepared.value, alt);
  flash(req, "offers:edit.imageAdded");
  res.redirect(303, `/staff/offers/${offer.id}/edit#images`);
}

async function removeImage(ctx: AppContext, req: Req, res: Res) {
  const offer = await offerOr404(ctx, req);
  if (!(await repo.deleteImage(ctx.db, offer.id, String(req.params.imageId))))
    throw new HttpError(404, "errors.notFound");
  flash(req, "offers:edit.imageRemoved");
  res.redirect(303, `/staff/offers/${offer.id}/edit#images`);
}
