// Staff pages around the people of an offer: the list and its CSV export, attendance, adding or
// removing a registration by hand, and a message to every participant.
import type express from "express";
import { stringify } from "csv-stringify/sync";
import type { AppContext } from "../context.ts";
import { requireRole, STAFF_ROLES } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { listMessages, messageParticipants } from "./notices.service.ts";
import { findOffer, type Offer } from "./offers.repo.ts";
import { dateTimeLabel, offerView } from "./offers.view.ts";
import { listForOffer, setAttendance, type StaffRegistration } from "./registrations.repo.ts";
import { register, removeByStaff } from "./registrations.service.ts";
import { bookingDeps } from "./booking.types.ts";
import { registerMessage } from "./booking.routes.ts";
import { findMemberByEmail } from "./staff.repo.ts";

/** A spreadsheet must not read a name as a formula (CSV injection). */
const cell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

function peopleOf(r: StaffRegistration, t: express.Request["t"]): string {
  return r.people
    .map((p) =>
      [
        p.isMember
          ? t("offers:participants.member")
          : p.firstName || t("offers:participants.guest"),
        p.birthYear,
      ]
        .filter(Boolean)
        .join(" "),
    )
    .join(", ");
}

export function participantRoutes(router: express.Router, ctx: AppContext): void {
  const staff = requireRole(...STAFF_ROLES);
  const deps = bookingDeps(ctx);

  const offerOr404 = async (req: express.Request): Promise<Offer> => {
    const offer = await findOffer(ctx.db, String(req.params.id));
    if (!offer || offer.remote) throw new HttpError(404, "errors.notFound");
    return offer;
  };

  const participantsPage = async (
    req: express.Request,
    res: express.Response,
    offer: Offer,
    state: { errors?: FieldError[]; values?: object; status?: number } = {},
  ) => {
    const registrations = await listForOffer(ctx.db, offer.id, true);
    const view = registrations.map((r) => ({
      ...r,
      peopleLabel: peopleOf(r, req.t),
      registeredAt: dateTimeLabel(r.createdAt, offer.timezone, req.lang),
    }));
    renderForm(
      res,
      "offers/participants",
      ctx.i18n,
      req,
      {
        title: req.t("offers:participants.title", { title: offer.title }),
        offer: offerView(offer, req.lang, req.t),
        confirmed: view.filter((r) => r.status === "confirmed"),
        waiting: view.filter((r) => r.status === "waitlisted"),
        cancelled: view.filter((r) => r.status === "cancelled"),
        messages: await listMessages(ctx.db, offer.id),
        values: state.values ?? { persons: 1 },
        errors: state.errors,
      },
      state.status,
    );
  };

  router.get("/staff/offers/:id/participants", staff, async (req, res) => {
    await participantsPage(req, res, await offerOr404(req));
  });

  router.get("/staff/offers/:id/participants.csv", staff, async (req, res) => {
    const offer = await offerOr404(req);
    const rows = await listForOffer(ctx.db, offer.id);
    const t = req.t;
    const csv = stringify(
      [
        [
          t("offers:participants.status"),
          t("offers:participants.position"),
          t("offers:participants.name"),
          t("offers:participants.email"),
          t("offers:participants.instance"),
          t("offers:participants.persons"),
          t("offers:participants.people"),
          t("offers:participants.registeredAt"),
          t("offers:participants.attended"),
        ],
        ...rows.map((r) => [
          t(`offers:status.${r.status}`),
          r.position ?? "",
          cell(r.name),
          cell(r.email ?? ""),
          cell(r.instance ?? ""),
          r.persons,
          cell(peopleOf(r, t)),
          r.createdAt.toISOString(),
          r.attended === null ? "" : r.attended ? t("form.yes") : t("form.no"),
        ]),
      ],
      // Semicolons and a byte-order mark: what spreadsheets set up in French expect.
      { delimiter: ";", bom: true },
    );
    res
      .type("text/csv; charset=utf-8")
      .set("Content-Disposition", `attachment; filename="participants-${offer.id}.csv"`)
      .send(csv);
  });

  router.post("/staff/offers/:id/attendance", staff, async (req, res) => {
    const offer = await offerOr404(req);
    const raw = (req.body as { present?: unknown }).present;
    const present = new Set(
      (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string"),
    );
    await setAttendance(ctx.db, offer.id, present);
    flash(req, "offers:participants.attendanceSaved");
    res.redirect(303, `/staff/offers/${offer.id}/participants`);
  });

  router.post("/staff/offers/:id/registrations", staff, async (req, res) => {
    const offer = await offerOr404(req);
    const body = req.body as { email?: unknown; persons?: unknown };
    const email = typeof body.email === "string" ? body.email : "";
    const persons = Number(body.persons ?? 1);
    const member = email ? await findMemberByEmail(ctx.db, email) : undefined;
    if (!member)
      return participantsPage(req, res, offer, {
        status: 422,
        values: body,
        errors: [{ field: "email", key: "offers:participants.errors.unknownMember" }],
      });
    if (!Number.isInteger(persons) || persons < 1 || persons > 50)
      return participantsPage(req, res, offer, {
        status: 422,
        values: body,
        errors: [{ field: "persons", key: "errors.minimum", values: { limit: 1 } }],
      });
    const result = await ctx.transaction((tx) =>
      register(tx, deps, {
        offerId: offer.id,
        participant: { kind: "local", userId: member.id },
        persons: { count: persons },
        byStaff: true,
      }),
    );
    if (!result.ok)
      return participantsPage(req, res, offer, {
        status: 409,
        values: body,
        errors: [
          {
            field: "email",
            key: "offers:booking.errors.raw",
            values: { message: registerMessage(req.t, result.error, result.details, offer) },
          },
        ],
      });
    flash(
      req,
      result.value.status === "confirmed"
        ? "offers:participants.added"
        : "offers:participants.addedWaiting",
      { name: member.display_name, position: result.value.position ?? 0 },
    );
    res.redirect(303, `/staff/offers/${offer.id}/participants`);
  });

  router.post("/staff/offers/:id/registrations/:registrationId/remove", staff, async (req, res) => {
    const offer = await offerOr404(req);
    const result = await ctx.transaction((tx) =>
      removeByStaff(tx, deps, offer.id, String(req.params.registrationId)),
    );
    if (!result.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "offers:participants.removed", { count: result.value.promoted.length });
    res.redirect(303, `/staff/offers/${offer.id}/participants`);
  });

  const messagePage = (
    req: express.Request,
    res: express.Response,
    offer: Offer,
    errors?: FieldError[],
  ) =>
    renderForm(res, "offers/message", ctx.i18n, req, {
      title: req.t("offers:message.title", { title: offer.title }),
      offer,
      values: req.method === "POST" ? (req.body as object) : {},
      errors,
    });

  router.get("/staff/offers/:id/message", staff, async (req, res) => {
    messagePage(req, res, await offerOr404(req));
  });

  router.post("/staff/offers/:id/message", staff, async (req, res) => {
    const offer = await offerOr404(req);
    const body = req.body as { body?: unknown; includeWaitlist?: unknown };
    const text = typeof body.body === "string" ? body.body.trim() : "";
    if (text.length < 3 || text.length > 2000)
      return messagePage(req, res, offer, [{ field: "body", key: "offers:message.errors.length" }]);
    const count = await ctx.transaction((tx) =>
      messageParticipants(tx, deps, {
        offerId: offer.id,
        senderId: req.user!.id,
        body: text,
        includeWaitlist: body.includeWaitlist === "on",
      }),
    );
    flash(req, "offers:message.sent", { count });
    res.redirect(303, `/staff/offers/${offer.id}/participants`);
  });
}
