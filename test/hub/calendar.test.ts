// The national calendar over the members' offers, on the hub of a four-instance network: soonest
// first, every filter of the page and of the API (region, territory, category, dates, places,
// distance from a postal code, French words with accents and plurals), the day/week/month views,
// the iCalendar and Atom feeds of a filtered view; a suspended member's offers leave it.
import assert from "node:assert/strict";
import supertest from "supertest";
import { DateTime } from "luxon";
import { api, stopNetwork, waitFor, type Network, type Peer } from "../federation/harness.ts";
import { unescapeHtml } from "../support/web.ts";
import { makeOffer, memberOf } from "../federation/offers-support.ts";
import { adminForm, joinAll, startHubNetwork } from "./support.ts";

interface Item {
  id: string;
  title: string;
  placesLeft: number;
  territory?: { host: string };
}

const titles = (items: Item[]) => items.map((i) => i.title);

async function calendarApi(hub: Peer, query: string) {
  const res = await supertest(hub.url).get(`/api/v1/hub/offers?${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items as Item[];
}

const at = (days: number, hour = 10) =>
  DateTime.now().setZone("Europe/Paris").plus({ days }).set({ hour, minute: 0 }).toJSDate();

describe("hub: national calendar and search", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startHubNetwork();
    await joinAll(net, ["a", "b"]);
    const { a, b, c } = net;
    const offer = (peer: Peer, days: number, o: Record<string, unknown>) =>
      makeOffer(peer.instance, peer.admin.user.id, {
        startsAt: at(days),
        endsAt: new Date(at(days).getTime() + 3 * 3600_000),
        ...o,
      });
    await offer(a!, 10, {
      title: "Randonnée en Chartreuse",
      category: "sport",
      postalCode: "38000",
      city: "Grenoble",
      latitude: 45.1885,
      longitude: 5.7245,
    });
    await offer(b!, 3, {
      title: "Atelier de poterie",
      category: "ateliers",
      postalCode: "75011",
      city: "Paris",
      latitude: 48.8575,
      longitude: 2.3796,
      capacity: 2,
      maxPersonsPerRegistration: 2,
    });
    await offer(b!, 40, {
      title: "Séjour au ski",
      category: "sejours",
      postalCode: "73000",
      city: "Chambéry",
      latitude: 45.5646,
      longitude: 5.9178,
    });
    // C is not a member: the hub never shows its offers.
    await offer(c!, 5, { title: "Concert à Lille", postalCode: "59000", city: "Lille" });
    await waitFor("the members' offers on the hub", async () => {
      return (await calendarApi(net.hub!, "")).length === 3;
    });
  });
  after(() => stopNetwork(net));

  it("lists every upcoming activity of the members, soonest first", async () => {
    const { hub, b } = net;
    const items = await calendarApi(hub!, "");
    assert.deepEqual(titles(items), [
      "Atelier de poterie",
      "Randonnée en Chartreuse",
      "Séjour au ski",
    ]);
    assert.equal(items[0]!.territory?.host, b!.host);
  });

  it("filters by region, territory, category, dates, words and distance", async () => {
    const { hub, a } = net;
    assert.deepEqual(titles(await calendarApi(hub!, "region=ile-de-france")), [
      "Atelier de poterie",
    ]);
    assert.deepEqual(titles(await calendarApi(hub!, "region=auvergne-rhone-alpes")), [
      "Randonnée en Chartreuse",
      "Séjour au ski",
    ]);
    assert.deepEqual(titles(await calendarApi(hub!, `territory=${a!.host}`)), [
      "Randonnée en Chartreuse",
    ]);
    assert.deepEqual(titles(await calendarApi(hub!, "category=sejours")), ["Séjour au ski"]);
    // French words: no accents, plural.
    assert.deepEqual(titles(await calendarApi(hub!, "q=randonnees")), ["Randonnée en Chartreuse"]);
    assert.deepEqual(titles(await calendarApi(hub!, "q=sejours ski")), ["Séjour au ski"]);
    const from = DateTime.fromJSDate(at(5)).toISODate();
    const to = DateTime.fromJSDate(at(20)).toISODate();
    assert.deepEqual(titles(await calendarApi(hub!, `from=${from}&to=${to}`)), [
      "Randonnée en Chartreuse",
    ]);
    // Within 30 km of Grenoble's postal code: the hike, not Chambéry (about 45 km away).
    assert.deepEqual(titles(await calendarApi(hub!, "near=38000&radius=30")), [
      "Randonnée en Chartreuse",
    ]);
    assert.deepEqual(titles(await calendarApi(hub!, "near=38000&radius=100")), [
      "Randonnée en Chartreuse",
      "Séjour au ski",
    ]);
    const bad = await supertest(hub!.url).get("/api/v1/hub/offers?region=atlantide");
    assert.equal(bad.status, 400);
  });

  it("shows places left as the member's instance tells them", async () => {
    const { hub, b } = net;
    const onB = await b!.instance.ctx.db
      .selectFrom("offers")
      .select("id")
      .where("title", "=", "Atelier de poterie")
      .executeTakeFirstOrThrow();
    const member = await memberOf(b!, false);
    const booked = await api(b!, member.token).post(`/offers/${onB.id}/registrations`, {
      persons: 2,
    });
    assert.equal(booked.status, 201, booked.text);
    await waitFor("the full offer on the hub", async () => {
      const all = await calendarApi(hub!, "region=ile-de-france");
      return all[0]?.placesLeft === 0;
    });
    assert.deepEqual(titles(await calendarApi(hub!, "available=true")), [
      "Randonnée en Chartreuse",
      "Séjour au ski",
    ]);
  });

  it("shows a day, a week or a month, and the page works as a plain list", async () => {
    const { hub } = net;
    const day = DateTime.fromJSDate(at(40)).toISODate();
    assert.deepEqual(titles(await calendarApi(hub!, `view=day&date=${day}`)), ["Séjour au ski"]);
    const week = await calendarApi(
      hub!,
      `view=week&date=${DateTime.fromJSDate(at(10)).toISODate()}`,
    );
    assert.ok(titles(week).includes("Randonnée en Chartreuse"));
    assert.ok(!titles(week).includes("Séjour au ski"));
    const month = DateTime.fromJSDate(at(40)).toISODate();
    assert.ok(
      titles(await calendarApi(hub!, `view=month&date=${month}`)).includes("Séjour au ski"),
    );

    const page = await supertest(hub!.url).get("/hub/calendar?region=auvergne-rhone-alpes");
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    assert.ok(text.indexOf("Randonnée en Chartreuse") < text.indexOf("Séjour au ski"));
    assert.ok(!text.includes("Atelier de poterie"));
    assert.match(text, /href="\/hub\/book\/[0-9a-f-]{36}"/);
    assert.match(text, /href="\/hub\/calendar\.ics\?region=auvergne-rhone-alpes"/);
    const weekPage = await supertest(hub!.url).get(`/hub/calendar?view=week&date=${day}`);
    assert.match(unescapeHtml(weekPage.text), /Semaine du/);
    assert.match(unescapeHtml(weekPage.text), /rel="prev"/);
  });

  it("serves the filtered view as iCalendar and Atom", async () => {
    const { hub } = net;
    const ics = await supertest(hub!.url).get("/hub/calendar.ics?category=sport");
    assert.equal(ics.status, 200);
    assert.match(ics.headers["content-type"]!, /text\/calendar/);
    assert.match(ics.text, /SUMMARY:Randonnée en Chartreuse/);
    assert.doesNotMatch(ics.text, /Séjour au ski/);
    const feed = await supertest(hub!.url).get("/hub/calendar.atom?region=auvergne-rhone-alpes");
    assert.equal(feed.status, 200);
    assert.match(feed.text, /Randonnée en Chartreuse/);
    assert.match(feed.text, /Séjour au ski/);
    assert.doesNotMatch(feed.text, /poterie/);
  });

  it("drops a suspended member's offers", async () => {
    const { hub, b } = net;
    await adminForm(hub!, "/admin/hub", `/admin/hub/members/${b!.host}/suspend`);
    assert.deepEqual(titles(await calendarApi(hub!, "")), ["Randonnée en Chartreuse"]);
  });
});
