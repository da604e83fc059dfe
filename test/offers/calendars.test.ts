import assert from "node:assert/strict";
import nodeIcal from "node-ical";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { feedToken } from "../../server/offers/feeds.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { makeOffer } from "./support.ts";

type IcalEvent = {
  type: string;
  uid: string;
  summary: string;
  start: Date & { tz?: string };
  end: Date & { tz?: string };
};

function events(text: string): IcalEvent[] {
  const parsed = nodeIcal.sync.parseICS(text);
  return Object.values(parsed).filter((v) => v?.type === "VEVENT") as unknown as IcalEvent[];
}

describe(`offers: calendars and feeds (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let member: Member;
  let paris: Awaited<ReturnType<typeof makeOffer>>;
  let guadeloupe: Awaited<ReturnType<typeof makeOffer>>;
  let local: Awaited<ReturnType<typeof makeOffer>>;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    member = await createMember(instance);
    // 9:30 in Paris in summer is 7:30 UTC; 9:30 in Guadeloupe is 13:30 UTC.
    const year = new Date().getFullYear() + 1;
    paris = await makeOffer(instance, staff.user.id, {
      title: "Randonnée, lac; et « refuge »",
      startsAt: new Date(`${year}-07-10T07:30:00Z`),
      endsAt: new Date(`${year}-07-10T16:00:00Z`),
    });
    guadeloupe = await makeOffer(instance, staff.user.id, {
      title: "Sortie en mer",
      timezone: "America/Guadeloupe",
      postalCode: "97110",
      city: "Pointe-à-Pitre",
      startsAt: new Date(`${year}-03-02T13:30:00Z`),
      endsAt: new Date(`${year}-03-02T18:00:00Z`),
    });
    local = await makeOffer(instance, staff.user.id, {
      title: "Réunion interne",
      visibility: "local",
    });
    const token = (await issueApiToken(instance.ctx.db, member.user.id, "t")).token;
    for (const offer of [paris, guadeloupe])
      await supertest(instance.url)
        .post(`/api/v1/offers/${offer.id}/registrations`)
        .set("Authorization", `Bearer ${token}`)
        .send({ persons: 1 })
        .expect(201);
  });
  after(() => instance.destroy());

  it("serves one offer as a calendar file that keeps its timezone", async () => {
    const res = await supertest(instance.url).get(`/offers/${paris.id}.ics`);
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] ?? "", /^text\/calendar/);
    assert.match(res.text, /DTSTART;TZID=Europe\/Paris:\d{8}T093000/);
    assert.match(res.text, /BEGIN:VTIMEZONE\r?\nTZID:Europe\/Paris/);
    const [event] = events(res.text);
    assert.ok(event);
    assert.equal(event.summary, "Randonnée, lac; et « refuge »");
    assert.equal(event.start.tz, "Europe/Paris");
    assert.equal(event.start.toISOString(), paris.startsAt.toISOString());
    assert.equal(event.end.toISOString(), paris.endsAt.toISOString());

    const other = await supertest(instance.url).get(`/offers/${guadeloupe.id}.ics`);
    const [overseas] = events(other.text);
    assert.equal(overseas!.start.tz, "America/Guadeloupe");
    assert.match(other.text, /DTSTART;TZID=America\/Guadeloupe:\d{8}T093000/);
    assert.equal(overseas!.start.toISOString(), guadeloupe.startsAt.toISOString());
  });

  it("serves the instance calendar and Atom feed of public offers only", async () => {
    const res = await supertest(instance.url).get("/offers.ics");
    assert.equal(res.status, 200);
    const all = events(res.text);
    const titles = all.map((e) => e.summary).sort();
    assert.deepEqual(titles, ["Randonnée, lac; et « refuge »", "Sortie en mer"]);
    assert.ok(all.every((e) => e.start.tz));
    const atom = await supertest(instance.url).get("/offers/feed.atom");
    assert.equal(atom.status, 200);
    assert.match(atom.headers["content-type"] ?? "", /application\/atom\+xml/);
    assert.match(atom.text, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    assert.match(
      atom.text,
      /<title type="html"><!\[CDATA\[Sortie en mer\]\]><\/title>|<title[^>]*>Sortie en mer<\/title>/,
    );
    assert.match(atom.text, new RegExp(`/offers/${paris.id}`));
    assert.doesNotMatch(atom.text, /Réunion interne/);
    assert.equal((await supertest(instance.url).get(`/offers/${local.id}.ics`)).status, 404);
  });

  it("gives each member a secret calendar address of their registrations, which they can replace", async () => {
    const agent = await loggedIn(instance, member);
    const page = await agent.get("/offers/mine");
    const url = /id="feed-url"[^>]*value="([^"]+)"/.exec(page.text)?.[1];
    assert.ok(url, "feed address shown");
    const path = new URL(url).pathname;
    const feed = await supertest(instance.url).get(path);
    assert.equal(feed.status, 200);
    const mine = events(feed.text);
    assert.deepEqual(mine.map((e) => e.start.tz).sort(), ["America/Guadeloupe", "Europe/Paris"]);
    const renewed = await feedToken(instance.ctx.db, member.user.id, true);
    assert.equal(
      (await supertest(instance.url).get(path)).status,
      404,
      "old address stops working",
    );
    assert.equal((await supertest(instance.url).get(`/calendars/${renewed}.ics`)).status, 200);
    assert.equal((await supertest(instance.url).get("/calendars/not-a-token.ics")).status, 404);
  });
});
