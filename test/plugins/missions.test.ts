// The volunteering missions plugin (plugins/missions): staff publish a mission with slots,
// members sign up in two clicks and cancel, 30 concurrent sign-ups on a 10-place slot give 10
// (the offers' booking rules), reminders come from the offers' job, the list and calendar filter
// by cause, date, duration and distance; moderation; off and on again with data kept.
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { sendReminders } from "../../server/offers/notices.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { api, bearer, notices, switchPlugin } from "./support.ts";

const DAY = 86_400_000;
const day = (offset: number) =>
  DateTime.fromMillis(Date.now() + offset * DAY, { zone: "Europe/Paris" }).toISODate()!;

describe(`plugins: volunteering missions (${MODE})`, () => {
  let instance: TestInstance;
  let admin: Agent;
  let staff: Agent;

  before(async () => {
    instance = await startTestInstance();
    admin = await loggedIn(instance, await createMember(instance, "admin"));
    staff = await loggedIn(instance, await createMember(instance, "staff"));
    await switchPlugin(admin, "missions", true);
  });
  after(() => instance.destroy());

  const publish = async (fields: Record<string, string>) => {
    const res = await submit(staff, "/missions/new", "/missions", {
      organiser: "SLVie de Grenoble",
      description: "Trier et distribuer des colis.",
      skills: "Bonne humeur",
      slot1Time: "09:00",
      slot1Hours: "2",
      slot1Places: "10",
      ...fields,
    });
    assert.equal(res.status, 303, res.text.slice(0, 3000));
    return res.headers.location!.split("/").pop()!;
  };
  const slotsOf = (missionId: string) =>
    instance.ctx.db
      .selectFrom("mission_slots")
      .select("offer_id")
      .where("mission_id", "=", missionId)
      .execute();

  it("publishes a mission, signs a member up in two clicks, cancels, and reminds", async () => {
    const refused = await submit(staff, "/missions/new", "/missions", {
      title: "Épicerie solidaire",
      cause: "solidarity",
      organiser: "SLVie",
      postalCode: "99999",
      slot1Date: day(-1),
      slot1Hours: "2",
      slot1Places: "0",
    });
    assert.equal(refused.status, 422);
    const text = unescapeHtml(refused.text);
    assert.match(text, /code postal ou une commune connus/);
    assert.match(text, /date et une heure à venir/);
    assert.match(text, /nombre de places entre 1 et 500/);

    const id = await publish({
      title: "Épicerie solidaire",
      cause: "solidarity",
      postalCode: "38000",
      // Tomorrow at 09:00 is always in the future and within the default two-day reminder
      // window, whatever the time of day the test runs (two days ahead is not, before 09:00).
      slot1Date: day(1),
    });
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    // Click 1: the mission in the list; click 2: "Je m'inscris".
    const list = await agent.get("/missions");
    assert.match(unescapeHtml(list.text), new RegExp(`href="/missions/${id}">Épicerie solidaire`));
    const page = await agent.get(`/missions/${id}`);
    assert.match(unescapeHtml(page.text), /Grenoble \(38000\)/);
    const [slot] = await slotsOf(id);
    const signed = await agent
      .post(`/missions/${id}/slots/${slot!.offer_id}/signup`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(signed.status, 303);
    const after = await agent.get(`/missions/${id}`);
    assert.match(unescapeHtml(after.text), /Vous êtes inscrit·e\./);
    assert.match(unescapeHtml(after.text), /9 places libres/);

    // The offers' reminder job reminds the volunteer of the slot.
    await instance.ctx.transaction((tx) => sendReminders(tx, bookingDeps(instance.ctx)));
    assert.equal((await notices(instance, member.user.id, "offers:reminder")).length, 1);

    const again = await agent
      .post(`/missions/${id}/slots/${slot!.offer_id}/signup`)
      .type("form")
      .send({ _csrf: csrfFrom(after.text) });
    assert.equal(again.status, 409);
    const cancelled = await agent
      .post(`/missions/${id}/slots/${slot!.offer_id}/cancel`)
      .type("form")
      .send({ _csrf: csrfFrom(after.text) });
    assert.equal(cancelled.status, 303);
    assert.match(unescapeHtml((await agent.get(`/missions/${id}`)).text), /10 places libres/);
    const plain = await loggedIn(instance, await createMember(instance));
    assert.equal((await plain.get("/missions/new")).status, 403);
  });

  it("gives 10 places, no more, to 30 members signing up at once", async () => {
    const id = await publish({
      title: "Maraude",
      cause: "emergency",
      postalCode: "38000",
      slot1Date: day(3),
    });
    const [slot] = await slotsOf(id);
    const members = await Promise.all(Array.from({ length: 30 }, () => createMember(instance)));
    const tokens = await Promise.all(members.map((m) => bearer(instance, m)));
    const answers = await Promise.all(
      tokens.map((auth) =>
        api(instance)
          .post(`/api/v1/missions/${id}/slots/${slot!.offer_id}/registrations`)
          .set("Authorization", auth),
      ),
    );
    const confirmed = answers.filter((a) => a.status === 201 && a.body.status === "confirmed");
    const waiting = answers.filter((a) => a.status === 201 && a.body.status === "waitlisted");
    assert.equal(confirmed.length, 10);
    assert.equal(waiting.length, 20);
    const offer = await instance.ctx.db
      .selectFrom("offers")
      .select(["places_taken", "capacity"])
      .where("id", "=", slot!.offer_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(offer, { places_taken: 10, capacity: 10 });
    const rows = await instance.ctx.db
      .selectFrom("offer_registrations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("offer_id", "=", slot!.offer_id)
      .where("status", "=", "confirmed")
      .executeTakeFirstOrThrow();
    assert.equal(Number(rows.n), 10);
  });

  it("filters the list and the calendar by cause, date, duration and distance", async () => {
    const near = await publish({
      title: "Jardin partagé",
      cause: "environment",
      postalCode: "38100",
      slot1Date: day(5),
      slot1Hours: "1",
    });
    const far = await publish({
      title: "Bibliothèque de rue",
      cause: "education",
      postalCode: "75001",
      slot1Date: day(6),
      slot1Hours: "4",
    });
    const remote = await publish({
      title: "Soutien scolaire en ligne",
      cause: "education",
      remote: "on",
      slot1Date: day(20),
      slot1Hours: "1",
    });
    const titles = async (query: string) =>
      (
        (await api(instance).get(`/api/v1/missions?${query}`).expect(200)).body as {
          title: string;
        }[]
      ).map((s) => s.title);
    assert.deepEqual((await titles("cause=education")).sort(), [
      "Bibliothèque de rue",
      "Soutien scolaire en ligne",
    ]);
    const around = await titles("near=38000&km=20");
    assert.ok(around.includes("Jardin partagé"));
    assert.ok(!around.includes("Bibliothèque de rue"), "Paris is not within 20 km of Grenoble");
    assert.ok(around.includes("Soutien scolaire en ligne"), "remote missions are near everyone");
    const short = await titles("maxHours=1");
    assert.ok(short.includes("Jardin partagé") && !short.includes("Bibliothèque de rue"));
    const later = await titles(`from=${day(10)}`);
    assert.ok(later.includes("Soutien scolaire en ligne") && !later.includes("Jardin partagé"));
    const html = unescapeHtml(
      (await api(instance).get("/missions?near=Grenoble&km=20&cause=environment")).text,
    );
    assert.match(html, /Jardin partagé/);
    assert.doesNotMatch(html, /Bibliothèque de rue/);
    assert.equal((await api(instance).get("/missions?near=Atlantide")).status, 422);
    const month = day(20).slice(0, 7);
    const calendar = unescapeHtml(
      (await api(instance).get(`/missions/calendar?month=${month}`)).text,
    );
    assert.match(calendar, /Soutien scolaire en ligne/);
    assert.ok(near && far && remote);
  });

  it("lets moderators remove a mission with a reason, and keeps data while switched off", async () => {
    const id = await publish({
      title: "Collecte de jouets",
      cause: "solidarity",
      postalCode: "38000",
      slot1Date: day(4),
    });
    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    const removed = await submit(
      moderator,
      `/missions/${id}/moderate`,
      `/missions/${id}/moderate`,
      { reason: "Doublon d'une autre mission" },
    );
    assert.equal(removed.status, 303);
    const someone = await createMember(instance);
    const member = await loggedIn(instance, someone);
    assert.equal((await member.get(`/missions/${id}`)).status, 404);
    // Its slot is an offer: neither listed nor bookable through the offers' pages or API.
    const [slot] = await slotsOf(id);
    const offerId = slot!.offer_id;
    assert.doesNotMatch(unescapeHtml((await member.get("/offers")).text), /Collecte de jouets/);
    const page = await member.get(`/offers/${offerId}`);
    assert.equal(page.status, 404);
    const token = csrfFrom((await member.get("/offers")).text);
    const byPage = await member
      .post(`/offers/${offerId}/register`)
      .type("form")
      .send({ self: "on", _csrf: token });
    assert.equal(byPage.status, 404);
    const byApi = await api(instance)
      .post(`/api/v1/offers/${offerId}/registrations`)
      .set("Authorization", await bearer(instance, someone))
      .send({ persons: 1 });
    assert.ok(byApi.status >= 400 && byApi.status < 500, String(byApi.status));
    const booked = () =>
      instance.ctx.db
        .selectFrom("offer_registrations")
        .select("id")
        .where("offer_id", "=", offerId)
        .execute();
    assert.equal((await booked()).length, 0);
    // Restored, the slot is listed and bookable again.
    const restored = await submit(
      moderator,
      `/missions/${id}/moderate`,
      `/missions/${id}/moderate`,
      { reason: "Ce n'était pas un doublon" },
    );
    assert.equal(restored.status, 303);
    assert.match(unescapeHtml((await member.get("/offers")).text), /Collecte de jouets/);
    const again = await api(instance)
      .post(`/api/v1/offers/${offerId}/registrations`)
      .set("Authorization", await bearer(instance, someone))
      .send({ persons: 1 });
    assert.equal(again.status, 201, again.text);
    assert.equal((await booked()).length, 1);
    assert.match(
      unescapeHtml((await api(instance).get("/missions/moderation")).text),
      /« Collecte de jouets » retirée — raison : Doublon/,
    );

    const kept = await publish({
      title: "Atelier vélo",
      cause: "sport",
      postalCode: "38000",
      slot1Date: day(4),
    });
    await switchPlugin(admin, "missions", false);
    assert.equal((await member.get(`/missions/${kept}`)).status, 404);
    assert.equal((await api(instance).get("/api/v1/missions")).status, 404);
    assert.doesNotMatch((await member.get("/")).text, /href="\/missions"/);
    await switchPlugin(admin, "missions", true);
    assert.match(unescapeHtml((await member.get(`/missions/${kept}`)).text), /Atelier vélo/);
    assert.match((await member.get("/")).text, /Missions bénévoles/);
  });
});
