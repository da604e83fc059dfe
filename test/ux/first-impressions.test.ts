import assert from "node:assert/strict";
import fs from "node:fs";
import supertest from "supertest";
import ical from "node-ical";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { findCategory } from "../../server/offers/offers.repo.ts";
import { feedToken } from "../../server/offers/feeds.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml } from "../support/web.ts";
import { waitForMail } from "../support/mail.ts";
import { DAY, makeOffer } from "../offers/support.ts";

// The rough edges a newcomer meets (issue "first impressions"), each checked over real HTTP.
describe(`first impressions: forms, search, bookings (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;
  let staff: Member;
  let staffAgent: Awaited<ReturnType<typeof loggedIn>>;

  before(async () => {
    instance = await startTestInstance({ env: { TIMEZONE: "Europe/Paris" } });
    staff = await createMember(instance, "staff");
    staffAgent = await loggedIn(instance, staff);
  });
  after(() => instance.destroy());

  it("names each field in the error summary and links to it", async () => {
    const res = await submit(staffAgent, "/staff/offers/new", "/staff/offers", { title: "" });
    assert.equal(res.status, 422);
    const summary = unescapeHtml(/<div class="error-summary"[\s\S]*?<\/div>/.exec(res.text)![0]);
    assert.match(
      summary,
      /<a href="#field-title"><span class="error-summary__field">Titre\u00a0:<\/span> /,
    );
    assert.match(res.text, /id="field-title"/);
    // In English, no space before the colon.
    const en = await staffAgent
      .post("/staff/offers")
      .set("Cookie", "lang=en")
      .type("form")
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(res.text)![1], title: "" });
    assert.match(en.text, /<span class="error-summary__field">Title:<\/span> /);
  });

  it("warns about a past date when a draft is saved, refuses to publish it, and offers no action that fails", async () => {
    const category = await findCategory(instance.ctx.db, "sport");
    const created = await submit(staffAgent, "/staff/offers/new", "/staff/offers", {
      title: "Randonnée passée",
      categoryId: category!.id,
      audiences: "tous",
      timezone: "Europe/Paris",
      startsAt: "2020-06-15T14:00",
      endsAt: "2020-06-15T17:00",
      locationKind: "place",
      postalCode: "38000",
      city: "Grenoble",
      capacity: 12,
      maxPersonsPerRegistration: 2,
      pricing: "free",
      visibility: "public",
    });
    assert.equal(created.status, 303, created.text);
    const edit = await staffAgent.get(created.headers.location!);
    assert.match(unescapeHtml(edit.text), /sa date est passée : elle ne pourra pas être publiée/);
    assert.doesNotMatch(edit.text, /\/publish"/, "no Publish button for a past draft");
    const id = /offers\/([0-9a-f-]{36})\//.exec(created.headers.location!)![1]!;
    const refused = await submit(
      staffAgent,
      created.headers.location!,
      `/staff/offers/${id}/publish`,
      {},
    );
    assert.equal(refused.status, 409);
    assert.match(unescapeHtml(refused.text), /commence dans le passé/);
    const row = await instance.ctx.db
      .selectFrom("offers")
      .select("status")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, "draft");
    // A completed offer offers no "Cancel" (it would answer 409).
    const done = await makeOffer(instance, staff.user.id, { title: "Fête finie" });
    await instance.ctx.db
      .updateTable("offers")
      .set({ status: "completed" })
      .where("id", "=", done.id)
      .execute();
    const participants = await staffAgent.get(`/staff/offers/${done.id}/participants`);
    assert.equal(participants.status, 200);
    assert.doesNotMatch(participants.text, new RegExp(`/staff/offers/${done.id}/cancel`));
  });

  it("finds communes however they are typed, and the three cities by arrondissement", async () => {
    const near = async (text: string) => {
      const res = await supertest(instance.url)
        .get("/api/v1/offers")
        .query({ near: text, radius: 5 });
      return res;
    };
    const lyon = await makeOffer(instance, staff.user.id, {
      title: "Visite des traboules",
      postalCode: "69005",
      city: "Lyon",
      address: "Place Saint-Jean",
    });
    const stEtienne = await makeOffer(instance, staff.user.id, {
      title: "Musée de la mine",
      postalCode: "42100",
      city: "Saint-Étienne",
    });
    for (const text of ["lyon", "Lyon 5e", "LYON 2", "Lyon 1er arrondissement"]) {
      const res = await near(text);
      assert.equal(res.status, 200, `${text}: ${res.text}`);
      assert.ok(
        res.body.items.some((o: { id: string }) => o.id === lyon.id),
        text,
      );
    }
    for (const text of ["saint etienne", "st etienne", "St-Étienne", "SAINT-ETIENNE"]) {
      const res = await near(text);
      assert.equal(res.status, 200, `${text}: ${res.text}`);
      assert.ok(
        res.body.items.some((o: { id: string }) => o.id === stEtienne.id),
        text,
      );
      assert.ok(!res.body.items.some((o: { id: string }) => o.id === lyon.id), text);
    }
    const paris = await makeOffer(instance, staff.user.id, {
      title: "Visite du parc André-Citroën",
      postalCode: "75015",
      city: "Paris",
    });
    for (const text of ["Paris", "paris 15", "Paris 15e arrondissement"]) {
      const res = await near(text);
      assert.equal(res.status, 200, `${text}: ${res.text}`);
      assert.ok(
        res.body.items.some((o: { id: string }) => o.id === paris.id),
        text,
      );
    }
    const unknown = await supertest(instance.url)
      .get("/api/v1/offers")
      .query({ near: "Atlantide" });
    assert.equal(unknown.status, 400, "an unknown commune is still said");
  });

  it("finds an offer by the name of its place", async () => {
    const pool = await makeOffer(instance, staff.user.id, {
      title: "Aquagym du mardi",
      summary: "Séance d'une heure",
      address: "Piscine du Rhône, 2 quai Claude Bernard",
      postalCode: "69007",
      city: "Lyon",
    });
    const res = await supertest(instance.url).get("/api/v1/offers").query({ q: "piscine" });
    assert.equal(res.status, 200);
    assert.ok(res.body.items.some((o: { id: string }) => o.id === pool.id));
  });

  it("returns to the offer after signing in from its page", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Concert au parc" });
    const page = await supertest(instance.url).get(`/offers/${offer.id}`);
    const link = new RegExp(`href="(/login\\?next=/offers/${offer.id})"`).exec(page.text);
    assert.ok(link, "the sign-in link names the offer");
    const member = await createMember(instance);
    const agent = (await import("../support/web.ts")).browser(instance.url);
    const res = await submit(agent, link[1]!, "/login", {
      email: member.email,
      password: member.password,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/offers/${offer.id}`);
    // Another site is never a destination.
    const other = (await import("../support/web.ts")).browser(instance.url);
    const away = await submit(other, "/login?next=//evil.example/", "/login", {
      email: member.email,
      password: member.password,
    });
    assert.equal(away.headers.location, "/");
  });

  it("keeps the paragraphs of a description that has a few tags", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      title: "Atelier d'écriture",
      description:
        "Un atelier <strong>convivial</strong>.\n\nApportez un carnet, <em>un stylo</em>.\n\n<ul>\n<li>Niveau : tous</li>\n</ul>",
    });
    const page = await supertest(instance.url).get(`/offers/${offer.id}`);
    assert.match(
      page.text,
      /<p>Un atelier <strong>convivial<\/strong>\.<\/p>\s*<p>Apportez un carnet, <em>un stylo<\/em>\.<\/p>/,
    );
    assert.match(page.text, /<ul>\s*<li>Niveau : tous<\/li>\s*<\/ul>/);
  });

  it("lists my registrations upcoming first by date, and shows a waiting place as tentative with its rank", async () => {
    const member = await createMember(instance);
    const other = await createMember(instance);
    const token = async (m: Member) => (await issueApiToken(instance.ctx.db, m.user.id, "t")).token;
    const book = async (offerId: string, m: Member) =>
      supertest(instance.url)
        .post(`/api/v1/offers/${offerId}/registrations`)
        .set("Authorization", `Bearer ${await token(m)}`)
        .send({ persons: 1 });
    const at = (days: number) => ({
      startsAt: new Date(Date.now() + days * DAY),
      endsAt: new Date(Date.now() + days * DAY + 3600_000),
    });
    const late = await makeOffer(instance, staff.user.id, {
      title: "Dans trente jours",
      ...at(30),
    });
    const soon = await makeOffer(instance, staff.user.id, { title: "Dans deux jours", ...at(2) });
    const full = await makeOffer(instance, staff.user.id, {
      title: "Complet",
      capacity: 1,
      maxPersonsPerRegistration: 1,
      ...at(9),
    });
    assert.equal((await book(late.id, member)).status, 201);
    assert.equal((await book(soon.id, member)).status, 201);
    assert.equal((await book(full.id, other)).status, 201);
    const waiting = await book(full.id, member);
    assert.equal(waiting.body.status, "waitlisted");

    const agent = await loggedIn(instance, member);
    const mine = await agent.get("/offers/mine");
    const order = ["Dans deux jours", "Complet", "Dans trente jours"].map((t) =>
      mine.text.indexOf(t),
    );
    assert.ok(
      order.every((i) => i > 0),
      "all listed",
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      "upcoming, soonest first",
    );

    const feed = await supertest(instance.url).get(
      `/calendars/${await feedToken(instance.ctx.db, member.user.id)}.ics`,
    );
    const events = Object.values(ical.sync.parseICS(feed.text)).filter((e) => e?.type === "VEVENT");
    const byTitle = (t: string) =>
      events.find((e) => String((e as { summary: unknown }).summary) === t) as {
        status?: string;
        description?: unknown;
      };
    assert.equal(byTitle("Complet").status, "TENTATIVE");
    assert.match(String(byTitle("Complet").description), /Liste d'attente : rang 1/);
    assert.equal(byTitle("Dans deux jours").status, "CONFIRMED");
  });
});

describe(`first impressions: the booking confirmation mail (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("gives the date, place, price, how to pay and the .ics, from the instance's host", async () => {
    const staff = await createMember(instance, "staff");
    const member = await createMember(instance);
    const start = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 5, 15, 12, 0));
    const offer = await makeOffer(instance, staff.user.id, {
      title: "Atelier poterie",
      address: "Maison des associations, 3 rue Voltaire",
      postalCode: "38000",
      city: "Grenoble",
      startsAt: start,
      endsAt: new Date(start.getTime() + 7200_000),
      priceTiers: [
        { upTo: 8000, price: 500 },
        { upTo: null, price: 1250 },
      ],
    });
    const { token } = await issueApiToken(instance.ctx.db, member.user.id, "t");
    const booked = await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${token}`)
      .send({ persons: 1 });
    assert.equal(booked.status, 201, booked.text);
    const mail = await waitForMail(instance.dataDir, member.email);
    const raw = fs.readFileSync(mail.file, "utf8");
    assert.match(raw, new RegExp(`^From: .*@${new URL(instance.url).hostname}>?$`, "m"));
    const text = mail.text;
    assert.match(text, /Date : \w+ 15 juin \d{4} à 14:00/);
    assert.match(text, /Lieu : Maison des associations, 3 rue Voltaire, 38000 Grenoble/);
    assert.match(text, /Tarif : 5\s€ – 12,50\s€/);
    assert.match(text, /Règlement : auprès de /);
    assert.match(mail.subject, /Atelier\s+poterie/);
    const ics = mail.attachments.find((a) => a.filename === "activite.ics");
    assert.ok(ics, "an .ics attached");
    assert.equal(ics.contentType, "text/calendar");
    const events = Object.values(ical.sync.parseICS(ics.content)).filter(
      (e) => e?.type === "VEVENT",
    );
    assert.equal(events.length, 1);
    assert.equal(String((events[0] as { summary: unknown }).summary), "Atelier poterie");
  });
});

describe(`first impressions: one time zone, English punctuation (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;
  before(async () => {
    // A zone far from the server's, so that a date shown in the server's zone would show.
    instance = await startTestInstance({ env: { TIMEZONE: "Pacific/Auckland" } });
  });
  after(() => instance.destroy());

  it("shows every date in the instance's time zone", async () => {
    const member = await createMember(instance);
    const { insertNotification } = await import("../../server/notifications/notifications.repo.ts");
    const id = await insertNotification(instance.ctx.db, {
      userId: member.user.id,
      kind: "offers.reminder",
      data: { title: "Sortie" },
      link: null,
      emailCategory: null,
      emailState: null,
    });
    const created = (
      await instance.ctx.db
        .selectFrom("notifications")
        .select("created_at")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).created_at;
    const expected = new Intl.DateTimeFormat("fr-FR", {
      timeStyle: "short",
      timeZone: "Pacific/Auckland",
    }).format(created);
    const server = new Intl.DateTimeFormat("fr-FR", { timeStyle: "short" }).format(created);
    assert.notEqual(expected, server, "the zones differ");
    const page = await (await loggedIn(instance, member)).get("/notifications");
    assert.match(page.text, new RegExp(`à ${expected}</time>`));
  });

  it("writes colons the English way in English and the French way in French", async () => {
    await instance.ctx.db.updateTable("instance_settings").set({ territory: "Isère" }).execute();
    instance.ctx.settings.invalidate();
    const en = await supertest(instance.url).get("/").set("Cookie", "lang=en");
    assert.match(en.text, /Territory: Isère/);
    assert.doesNotMatch(en.text, / :/);
    const fr = await supertest(instance.url).get("/").set("Cookie", "lang=fr");
    assert.match(fr.text, /Territoire\u00a0: Isère/);
  });
});
