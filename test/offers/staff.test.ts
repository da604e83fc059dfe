import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { findCategory } from "../../server/offers/offers.repo.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { DAY, makeOffer } from "./support.ts";

describe(`offers: staff pages and API (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let staffAgent: Agent;
  let staffToken: string;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    staffAgent = await loggedIn(instance, staff);
    staffToken = (await issueApiToken(instance.ctx.db, staff.user.id, "t")).token;
  });
  after(() => instance.destroy());

  const token = async (member: Member) =>
    (await issueApiToken(instance.ctx.db, member.user.id, "t")).token;
  const book = async (offerId: string, member: Member, persons = 1) =>
    supertest(instance.url)
      .post(`/api/v1/offers/${offerId}/registrations`)
      .set("Authorization", `Bearer ${await token(member)}`)
      .send({ persons });
  const noticesOf = (userId: string) =>
    instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data"])
      .where("user_id", "=", userId)
      .execute();

  it("keeps members out of staff pages", async () => {
    const member = await loggedIn(instance, await createMember(instance));
    assert.equal((await member.get("/staff/offers")).status, 403);
    assert.equal((await supertest(instance.url).get("/staff/offers")).status, 303);
    const page = await staffAgent.get("/");
    assert.match(page.text, /href="\/staff\/offers"/);
  });

  it("creates an offer from the form in its local time, shows errors, publishes and duplicates it", async () => {
    const category = await findCategory(instance.ctx.db, "sport");
    const year = new Date().getFullYear() + 1;
    const fields = {
      title: "Initiation à l'escalade",
      summary: "Pour débuter en salle",
      description: "Matériel fourni.\n\nRendez-vous à l'accueil.",
      categoryId: category!.id,
      audiences: "jeunes",
      timezone: "Europe/Paris",
      startsAt: `${year}-06-15T14:00`,
      endsAt: `${year}-06-15T13:00`,
      locationKind: "place",
      address: "12 rue des Alpes",
      postalCode: "38000",
      city: "Grenoble",
      capacity: 12,
      maxPersonsPerRegistration: 2,
      minAge: 10,
      pricing: "tiers",
      tier1UpTo: 8000,
      tier1Price: "5",
      tier2Price: "12,50",
      visibility: "public",
    };
    const invalid = await submit(staffAgent, "/staff/offers/new", "/staff/offers", fields);
    assert.equal(invalid.status, 422);
    assert.match(unescapeHtml(invalid.text), /La fin doit être après le début/);
    assert.match(invalid.text, /href="#field-endsAt"/);

    const created = await submit(staffAgent, "/staff/offers/new", "/staff/offers", {
      ...fields,
      endsAt: `${year}-06-15T17:00`,
    });
    assert.equal(created.status, 303, created.text);
    const id = /\/staff\/offers\/([0-9a-f-]{36})\/edit/.exec(created.headers.location ?? "")?.[1];
    assert.ok(id);
    const row = await instance.ctx.db
      .selectFrom("offers")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, "draft");
    assert.equal(
      row.starts_at.toISOString(),
      `${year}-06-15T12:00:00.000Z`,
      "14:00 in Paris, summer",
    );
    assert.deepEqual(row.price_tiers, [
      { upTo: 8000, price: 500 },
      { upTo: null, price: 1250 },
    ]);
    assert.equal(row.min_price_cents, 500);
    assert.ok(row.latitude !== null, "coordinates from the postal code");
    assert.equal(row.description_html, "<p>Matériel fourni.</p><p>Rendez-vous à l'accueil.</p>");
    const edit = await staffAgent.get(`/staff/offers/${id}/edit`);
    assert.match(edit.text, new RegExp(`value="${year}-06-15T14:00"`));
    assert.equal((await supertest(instance.url).get(`/offers/${id}`)).status, 404, "draft hidden");

    const publish = await staffAgent
      .post(`/staff/offers/${id}/publish`)
      .type("form")
      .send({ _csrf: csrfFrom(edit.text) });
    assert.equal(publish.status, 303);
    const page = await supertest(instance.url).get(`/offers/${id}`);
    assert.equal(page.status, 200);
    assert.match(unescapeHtml(page.text), /Coefficient social jusqu'à 8/);
    assert.match(unescapeHtml(page.text), /12,50/);

    const copy = await staffAgent
      .post(`/staff/offers/${id}/duplicate`)
      .type("form")
      .send({ _csrf: csrfFrom(edit.text) });
    assert.equal(copy.status, 303);
    const copyId = /\/staff\/offers\/([0-9a-f-]{36})\/edit/.exec(copy.headers.location ?? "")?.[1];
    assert.ok(copyId && copyId !== id);
    const duplicated = await instance.ctx.db
      .selectFrom("offers")
      .select(["title", "status", "places_taken", "capacity"])
      .where("id", "=", copyId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(duplicated, {
      title: "Initiation à l'escalade (copie)",
      status: "draft",
      places_taken: 0,
      capacity: 12,
    });
    const list = await staffAgent.get("/staff/offers?status=draft");
    assert.match(unescapeHtml(list.text), /Initiation à l'escalade \(copie\)/);
  });

  it("lists participants, exports them, marks attendance, adds and removes by hand, writes to them", async () => {
    const offer = await makeOffer(instance, staff.user.id, { capacity: 2, title: "Sortie vélo" });
    const [ana, ben, cam] = [
      await createMember(instance, "member", "ana"),
      await createMember(instance, "member", "ben"),
      await createMember(instance, "member", "cam"),
    ];
    assert.equal((await book(offer.id, ana!)).body.status, "confirmed");
    const participants = `/staff/offers/${offer.id}/participants`;
    const added = await submit(
      staffAgent,
      participants,
      `/staff/offers/${offer.id}/registrations`,
      {
        email: ben!.email.toUpperCase(),
        persons: 1,
      },
    );
    assert.equal(added.status, 303);
    assert.equal((await book(offer.id, cam!)).body.status, "waitlisted");
    assert.ok((await noticesOf(ben!.user.id)).some((n) => n.kind === "offers:addedByStaff"));

    const unknown = await submit(
      staffAgent,
      participants,
      `/staff/offers/${offer.id}/registrations`,
      {
        email: "personne@exemple.fr",
        persons: 1,
      },
    );
    assert.equal(unknown.status, 422);
    assert.match(unescapeHtml(unknown.text), /Aucun membre n'a cette adresse/);

    const csv = await staffAgent.get(`${participants}.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers["content-type"] ?? "", /text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^État;Rang;Nom;/);
    assert.ok(lines.some((l) => l.includes(ana!.email) && l.startsWith("Inscription confirmée")));
    assert.ok(lines.some((l) => l.includes(cam!.email) && l.startsWith("Liste d'attente;1;")));

    const page = await staffAgent.get(participants);
    const anaRow = await instance.ctx.db
      .selectFrom("offer_registrations")
      .select("id")
      .where("offer_id", "=", offer.id)
      .where("user_id", "=", ana!.user.id)
      .executeTakeFirstOrThrow();
    const attendance = await staffAgent
      .post(`/staff/offers/${offer.id}/attendance`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), present: anaRow.id });
    assert.equal(attendance.status, 303);
    const marks = await instance.ctx.db
      .selectFrom("offer_registrations")
      .select(["user_id", "attended"])
      .where("offer_id", "=", offer.id)
      .where("status", "=", "confirmed")
      .execute();
    assert.deepEqual(Object.fromEntries(marks.map((m) => [m.user_id, m.attended])), {
      [ana!.user.id]: true,
      [ben!.user.id]: false,
    });

    const remove = await staffAgent
      .post(`/staff/offers/${offer.id}/registrations/${anaRow.id}/remove`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(remove.status, 303);
    assert.ok((await noticesOf(ana!.user.id)).some((n) => n.kind === "offers:removedByStaff"));
    assert.ok((await noticesOf(cam!.user.id)).some((n) => n.kind === "offers:promoted"));

    const sent = await submit(
      staffAgent,
      `/staff/offers/${offer.id}/message`,
      `/staff/offers/${offer.id}/message`,
      {
        body: "Rendez-vous à 8 h devant la gare.",
      },
    );
    assert.equal(sent.status, 303);
    for (const who of [ben!, cam!]) {
      const message = (await noticesOf(who.user.id)).find((n) => n.kind === "offers:message");
      assert.equal(message?.data.message, "Rendez-vous à 8 h devant la gare.");
    }
    assert.ok(!(await noticesOf(ana!.user.id)).some((n) => n.kind === "offers:message"));
    assert.match(
      unescapeHtml((await staffAgent.get(participants)).text),
      /Rendez-vous à 8 h devant la gare/,
    );
  });

  it("cancels an offer with a reason and tells every registrant", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      capacity: 1,
      title: "Concert au parc",
    });
    const people = [await createMember(instance), await createMember(instance)];
    await book(offer.id, people[0]!);
    await book(offer.id, people[1]!);
    const empty = await submit(
      staffAgent,
      `/staff/offers/${offer.id}/cancel`,
      `/staff/offers/${offer.id}/cancel`,
      { reason: "" },
    );
    assert.equal(empty.status, 422);
    const done = await submit(
      staffAgent,
      `/staff/offers/${offer.id}/cancel`,
      `/staff/offers/${offer.id}/cancel`,
      {
        reason: "Alerte orage",
      },
    );
    assert.equal(done.status, 303);
    for (const person of people) {
      const notice = (await noticesOf(person.user.id)).find(
        (n) => n.kind === "offers:offerCancelled",
      );
      assert.equal(notice?.data.reason, "Alerte orage");
    }
    const page = await supertest(instance.url).get(`/offers/${offer.id}`);
    assert.match(unescapeHtml(page.text), /Cette activité est annulée\. Raison : Alerte orage/);
    assert.equal((await book(offer.id, await createMember(instance))).status, 409);
  });

  it("writes offers through the API, for staff only", async () => {
    const member = await createMember(instance);
    const body = {
      title: "Atelier cuisine",
      category: "ateliers",
      startsAt: new Date(Date.now() + 12 * DAY).toISOString(),
      endsAt: new Date(Date.now() + 12 * DAY + 7200_000).toISOString(),
      capacity: 1,
      city: "Grenoble",
      postalCode: "38000",
      priceTiers: [{ upTo: null, price: 800 }],
      publish: true,
    };
    const refused = await supertest(instance.url)
      .post("/api/v1/offers")
      .set("Authorization", `Bearer ${await token(member)}`)
      .send(body);
    assert.equal(refused.status, 403);
    const created = await supertest(instance.url)
      .post("/api/v1/offers")
      .set("Authorization", `Bearer ${staffToken}`)
      .send(body);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, "published");
    assert.equal(created.body.placesLeft, 1);
    const id = created.body.id as string;
    await book(id, member);
    const waiting = await createMember(instance);
    assert.equal((await book(id, waiting)).body.status, "waitlisted");

    const patch = (changes: object) =>
      supertest(instance.url)
        .patch(`/api/v1/offers/${id}`)
        .set("Authorization", `Bearer ${staffToken}`)
        .send(changes);
    const tooSmall = await patch({ capacity: 1, endsAt: new Date(Date.now()).toISOString() });
    assert.equal(tooSmall.status, 422);
    assert.equal(tooSmall.body.errors[0].field, "endsAt");
    const bigger = await patch({ capacity: 3 });
    assert.equal(bigger.status, 200, bigger.text);
    assert.equal(bigger.body.placesLeft, 1, "the waiting registration got a place");
    const smaller = await patch({ capacity: 1 });
    assert.equal(smaller.status, 422);
    assert.match(smaller.body.errors[0].detail, /Déjà 2 places confirmées/);

    const list = await supertest(instance.url)
      .get(`/api/v1/offers/${id}/registrations`)
      .set("Authorization", `Bearer ${staffToken}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 2);
    assert.ok(list.body.every((r: { status: string }) => r.status === "confirmed"));

    const noReason = await patch({ status: "cancelled" });
    assert.equal(noReason.status, 422);
    const cancelled = await patch({ status: "cancelled", cancellationReason: "Chef malade" });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, "cancelled");
    assert.equal(cancelled.body.placesLeft, 3);
  });

  it("lets admins edit categories and the feature's settings", async () => {
    const admin = await createMember(instance, "admin");
    const agent = await loggedIn(instance, admin);
    const added = await submit(agent, "/admin/offers", "/admin/offers/categories", {
      slug: "randonnee",
      nameFr: "Randonnée",
      nameEn: "Hiking",
      position: 90,
    });
    assert.equal(added.status, 303);
    assert.equal((await findCategory(instance.ctx.db, "randonnee"))?.nameFr, "Randonnée");
    const taken = await submit(agent, "/admin/offers", "/admin/offers/categories", {
      slug: "randonnee",
      nameFr: "Autre",
      nameEn: "Other",
      position: 1,
    });
    assert.equal(taken.status, 422);
    const settings = await submit(agent, "/admin/offers", "/admin/offers/settings", {
      lastMinuteDays: 5,
      reminderDays: 1,
    });
    assert.equal(settings.status, 303);
    const row = await instance.ctx.db
      .selectFrom("offer_settings")
      .selectAll()
      .executeTakeFirstOrThrow();
    assert.equal(row.last_minute_days, 5);
    assert.equal(row.reminder_days, 1);
    assert.match((await agent.get("/admin")).text, /href="\/admin\/offers"/);
    assert.equal((await staffAgent.get("/admin/offers")).status, 403);
  });
});
