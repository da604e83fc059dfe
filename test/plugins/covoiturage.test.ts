// The carpooling plugin (plugins/covoiturage): rides from commune to commune, matched by the
// distance of their starts and ends and by time window, best first; a ride to an activity shows
// on the activity's page; contact through in-app messages; listings closed with the account;
// moderation; switched off and on with data kept.
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { makeOffer } from "../offers/support.ts";
import { api, bearer, notices, switchPlugin } from "./support.ts";

const inDays = (n: number) => DateTime.now().setZone("Europe/Paris").plus({ days: n });

describe(`plugins: carpooling (${MODE})`, () => {
  let instance: TestInstance;
  let admin: Agent;

  before(async () => {
    instance = await startTestInstance();
    admin = await loggedIn(instance, await createMember(instance, "admin"));
    await switchPlugin(admin, "covoiturage", true);
  });
  after(() => instance.destroy());

  const publish = async (member: Member, fields: Record<string, string>) => {
    const res = await api(instance)
      .post("/api/v1/covoiturage/rides")
      .set("Authorization", await bearer(instance, member))
      .send({ regular: "once", window: "15", ...fields });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };

  it("ranks the rides that suit a request, best first, within the time window", async () => {
    const date = inDays(7);
    const D = date.toISODate()!;
    const weekdayField = `day${date.weekday}`;
    const rider = await createMember(instance);
    const drivers = await Promise.all(Array.from({ length: 7 }, () => createMember(instance)));
    const base = { kind: "offer", to: "38130", date: D };
    const nearStart = await publish(drivers[0]!, {
      ...base,
      from: "38600",
      time: "08:20",
      detour: "5",
    });
    const exact = await publish(drivers[1]!, { ...base, from: "38000", time: "08:00" });
    await publish(drivers[2]!, { ...base, from: "38000", time: "09:30" }); // outside the windows
    const fartherStart = await publish(drivers[3]!, {
      ...base,
      from: "Saint-Égrève",
      time: "08:00",
      detour: "10",
    });
    await publish(drivers[4]!, { ...base, from: "69001", time: "08:00", detour: "20" }); // Lyon
    await publish(drivers[5]!, {
      ...base,
      from: "38000",
      time: "08:00",
      date: inDays(8).toISODate()!,
    });
    const regular = await publish(drivers[6]!, {
      kind: "offer",
      regular: "regular",
      [weekdayField]: "on",
      from: "38000",
      to: "Échirolles",
      time: "08:05",
    });
    const request = await publish(rider, {
      kind: "request",
      from: "Grenoble",
      to: "38130",
      date: D,
      time: "08:00",
      window: "30",
    });

    const matches = await api(instance)
      .get(`/api/v1/covoiturage/rides/${request}/matches`)
      .set("Authorization", await bearer(instance, rider))
      .expect(200);
    assert.deepEqual(
      (matches.body as { ride: { id: string } }[]).map((m) => m.ride.id),
      [exact, regular, nearStart, fartherStart],
    );
    assert.equal(matches.body[1].gapMinutes, 5);

    const agent = await loggedIn(instance, rider);
    const page = unescapeHtml((await agent.get(`/covoiturage/${request}`)).text);
    assert.match(page, /Les trajets qui vous correspondent/);
    const order = [exact, regular, nearStart, fartherStart].map((id) =>
      page.indexOf(`/covoiturage/${id}"`),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      "the page lists them best first",
    );
    assert.ok(order.every((i) => i > 0));

    // Contact goes through in-app messages, without the driver's details.
    const contact = await submit(agent, `/covoiturage/${exact}`, `/covoiturage/${exact}/contact`, {
      message: "Bonjour, une place pour moi ?",
    });
    assert.equal(contact.status, 303);
    assert.match(contact.headers.location!, /^\/messages\//);
    assert.equal((await notices(instance, drivers[1]!.user.id, "messages:newMessage")).length, 1);
    const conversation = await agent.get(contact.headers.location!);
    assert.doesNotMatch(conversation.text, new RegExp(drivers[1]!.email));
  });

  it("refuses bad rides with a clear message, and never stores an address", async () => {
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    const unknown = await submit(agent, "/covoiturage/new", "/covoiturage", {
      kind: "offer",
      regular: "once",
      date: inDays(2).toISODate()!,
      time: "07:30",
      from: "12 rue des Lilas",
      to: "38000",
    });
    assert.equal(unknown.status, 422);
    assert.match(unescapeHtml(unknown.text), /Ce départ est inconnu/);
    const noDay = await submit(agent, "/covoiturage/new", "/covoiturage", {
      kind: "offer",
      regular: "regular",
      time: "07:30",
      from: "38000",
      to: "38130",
    });
    assert.equal(noDay.status, 422);
    assert.match(unescapeHtml(noDay.text), /Cochez au moins un jour/);
    const past = await submit(agent, "/covoiturage/new", "/covoiturage", {
      kind: "offer",
      regular: "once",
      date: inDays(-1).toISODate()!,
      time: "07:30",
      from: "38000",
      to: "38130",
    });
    assert.equal(past.status, 422);
  });

  it("shows rides to an activity on its page, closes them with the account, and moderates", async () => {
    const staff = await createMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id, { title: "Fête de la CMCAS" });
    const driver = await createMember(instance);
    const agent = await loggedIn(instance, driver);
    const form = await agent.get(`/covoiturage/new?offer=${offer.id}`);
    assert.match(unescapeHtml(form.text), /Fête de la CMCAS/);
    const published = await submit(agent, `/covoiturage/new?offer=${offer.id}`, "/covoiturage", {
      kind: "offer",
      regular: "once",
      date: inDays(9).toISODate()!,
      time: "10:00",
      window: "30",
      from: "38000",
      to: "69001",
      seats: "3",
      detour: "5",
      contribution: "5",
      offerId: offer.id,
    });
    assert.equal(published.status, 303, published.text.slice(0, 2000));
    const rideId = published.headers.location!.split("/").pop()!;
    const viewer = await loggedIn(instance, await createMember(instance));
    const offerPage = unescapeHtml((await viewer.get(`/offers/${offer.id}`)).text);
    assert.match(offerPage, /Covoiturage vers cette activité/);
    assert.match(
      offerPage,
      new RegExp(`/covoiturage/${rideId}">Grenoble → Lyon 1er Arrondissement`),
    );
    assert.match(unescapeHtml((await viewer.get(`/covoiturage/${rideId}`)).text), /5,00 €/);

    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    const removed = await submit(
      moderator,
      `/covoiturage/${rideId}/moderate`,
      `/covoiturage/${rideId}/moderate`,
      {
        reason: "Participation abusive",
      },
    );
    assert.equal(removed.status, 303);
    assert.equal((await viewer.get(`/covoiturage/${rideId}`)).status, 404);
    assert.match(
      unescapeHtml((await agent.get(`/covoiturage/${rideId}`)).text),
      /Raison : Participation abusive/,
    );
    assert.match(
      unescapeHtml((await viewer.get("/covoiturage/moderation")).text),
      /Participation abusive/,
    );

    const other = await publish(driver, {
      kind: "offer",
      from: "38000",
      to: "38130",
      date: inDays(3).toISODate()!,
      time: "07:00",
    });
    await api(instance)
      .delete("/api/v1/me")
      .set("Authorization", await bearer(instance, driver))
      .send({ password: driver.password })
      .expect(204);
    const row = await instance.ctx.db
      .selectFrom("rides")
      .select(["status", "user_id"])
      .where("id", "=", other)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: "closed", user_id: null });
  });

  it("disappears when switched off and comes back with its rides", async () => {
    const member = await createMember(instance);
    const id = await publish(member, {
      kind: "request",
      from: "38000",
      to: "38600",
      date: inDays(4).toISODate()!,
      time: "18:00",
    });
    const agent = await loggedIn(instance, member);
    await switchPlugin(admin, "covoiturage", false);
    assert.equal((await agent.get(`/covoiturage/${id}`)).status, 404);
    assert.equal(
      (
        await api(instance)
          .get("/api/v1/covoiturage/rides")
          .set("Authorization", await bearer(instance, member))
      ).status,
      404,
    );
    assert.doesNotMatch((await agent.get("/")).text, /href="\/covoiturage"/);
    await switchPlugin(admin, "covoiturage", true);
    assert.match(unescapeHtml((await agent.get(`/covoiturage/${id}`)).text), /Grenoble → Fontaine/);
  });
});
