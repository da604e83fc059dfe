// Public pages cached for anonymous visitors (ADR 0150): what is cached, for whom, and when it
// is dropped. The instance runs with a page cache of 30 s, longer than any of these tests, so
// that a page shown fresh was not shown fresh by luck.
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import supertest from "supertest";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import type { Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { cancelOffer, updateOffer } from "../../server/offers/offers.service.ts";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { findCategory, findOffer } from "../../server/offers/offers.repo.ts";
import { makeOffer } from "../offers/support.ts";
import { forumMember, newGroup, slug } from "../forums/helpers.ts";

const MAX_AGE = 30;

describe(`page cache (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let staffAgent: Agent;
  const anonymous = (path: string) => supertest(instance.url).get(path);

  before(async () => {
    instance = await startTestInstance({ env: { PAGE_CACHE_SECONDS: String(MAX_AGE) } });
    staff = await createMember(instance, "staff");
    staffAgent = await loggedIn(instance, staff);
  });
  after(() => instance.destroy());

  it("sends an anonymous visitor's catalogue public for a short time, and 304 when unchanged", async () => {
    await makeOffer(instance, staff.user.id, { title: "Balade aux étangs" });
    const first = await anonymous("/offers");
    assert.equal(first.status, 200);
    assert.equal(
      first.headers["cache-control"],
      `public, max-age=${MAX_AGE}, stale-while-revalidate=${MAX_AGE * 6}`,
    );
    assert.match(first.headers.vary ?? "", /Cookie/);
    assert.ok(first.headers.etag, "an ETag");
    assert.equal(first.headers["set-cookie"], undefined);
    // From the cache this time: the same validator, and 304 when the browser has it.
    const second = await anonymous("/offers");
    assert.equal(second.headers.etag, first.headers.etag);
    assert.equal(second.text, first.text);
    const conditional = await anonymous("/offers").set("If-None-Match", first.headers.etag!);
    assert.equal(conditional.status, 304);
    assert.equal(conditional.text, "");
    // A page never rendered from the cache answers 304 as well.
    const offerPage = await anonymous("/");
    const again = await anonymous("/").set("If-None-Match", offerPage.headers.etag!);
    assert.equal(again.status, 304);
  });

  it("keeps the API's public listing for clients without a token only, and drops it on a change", async () => {
    await makeOffer(instance, staff.user.id, { title: "Sortie kayak" });
    await makeOffer(instance, staff.user.id, { title: "Soirée réseau", visibility: "network" });
    const api = (path: string) =>
      supertest(instance.url).get(path).set("accept", "application/json");
    const titles = (res: supertest.Response) =>
      (res.body as { items: { title: string }[] }).items.map((o) => o.title);
    const first = await api("/api/v1/offers");
    assert.equal(first.status, 200);
    assert.match(first.headers["cache-control"] ?? "", /^public, max-age=30/);
    assert.match(first.headers.vary ?? "", /Authorization/);
    assert.ok(titles(first).includes("Sortie kayak"));
    assert.ok(!titles(first).includes("Soirée réseau"), "a network offer needs a token");
    const second = await api("/api/v1/offers");
    assert.ok(second.headers.age !== undefined, "the second answer comes from the cache");
    assert.equal(second.text, first.text);
    // With a token: the member's view, never from nor into the shared cache.
    const { token } = await issueApiToken(instance.ctx.db, staff.user.id, "cache test");
    const mine = await api("/api/v1/offers").set("authorization", `Bearer ${token}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.age, undefined);
    assert.doesNotMatch(mine.headers["cache-control"] ?? "", /public/);
    assert.ok(titles(mine).includes("Soirée réseau"));
    assert.ok(!titles(await api("/api/v1/offers")).includes("Soirée réseau"));
    // A change to published content empties the cache: the next answer is fresh.
    await makeOffer(instance, staff.user.id, { title: "Atelier vannerie" });
    const fresh = await api("/api/v1/offers");
    assert.equal(fresh.headers.age, undefined);
    assert.ok(titles(fresh).includes("Atelier vannerie"));
  });

  it("never keeps or shares a member's page", async () => {
    const member = await createMember(instance, "member");
    const agent = await loggedIn(instance, member);
    await anonymous("/offers"); // a cached anonymous page exists
    const mine = await agent.get("/offers");
    assert.equal(mine.status, 200);
    assert.ok(mine.text.includes(member.displayName), "the member's page names them");
    assert.equal(mine.headers["cache-control"], "private, no-store");
    assert.match(mine.headers.vary ?? "", /Cookie/);
    for (const path of ["/offers", "/", "/groups", "/tutorials"]) {
      const page = await anonymous(path);
      assert.equal(page.status, 200, path);
      assert.ok(!page.text.includes(member.displayName), `${path} holds no member's name`);
    }
    // Pages not listed as public stay private for members too.
    assert.equal((await agent.get("/me")).headers["cache-control"], "private, no-store");
  });

  it("shows an edited offer at once to its editor and to others", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Atelier poterie" });
    assert.match((await anonymous("/offers")).text, /Atelier poterie/);
    const raw = (await findOffer(instance.ctx.db, offer.id))!;
    const input = inputOf(raw, (await findCategory(instance.ctx.db, "loisirs"))!.id);
    const edited = await instance.ctx.transaction((tx) =>
      updateOffer(tx, bookingDeps(instance.ctx), offer.id, {
        ...input,
        title: "Atelier céramique",
      }),
    );
    assert.ok(edited.ok);
    const editor = await staffAgent.get(`/offers/${offer.id}`);
    assert.match(editor.text, /Atelier céramique/);
    // Others within the cache's lifetime: here at once, as the change was made in this process.
    const others = await anonymous("/offers");
    assert.match(others.text, /Atelier céramique/);
    assert.doesNotMatch(others.text, /Atelier poterie/);
  });

  it("never shows a cancelled offer as bookable", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Stage de voile" });
    const before = await anonymous(`/offers/${offer.id}`);
    assert.ok(before.text.includes(`/login?next=/offers/${offer.id}`), "bookable before");
    assert.match((await anonymous("/offers")).text, /Stage de voile/);
    const cancelled = await instance.ctx.transaction((tx) =>
      cancelOffer(tx, bookingDeps(instance.ctx), offer.id, "Météo"),
    );
    assert.ok(cancelled.ok);
    assert.doesNotMatch((await anonymous("/offers")).text, /Stage de voile/);
    const page = await anonymous(`/offers/${offer.id}`);
    assert.ok(!page.text.includes(`/login?next=/offers/${offer.id}`), "no way to book");
    assert.ok(!page.text.includes("offer-action-bar"));
    // The offer's page is never served from the page cache: it revalidates every time.
    assert.notEqual(page.headers["cache-control"]?.startsWith("public, max-age="), true);
  });

  it("answers a kept page first, but still gives fediverse software the object at the same URL", async () => {
    const author = await forumMember(instance, "staff");
    const group = await newGroup(instance, author, { name: "Pêche", slug: slug("peche") });
    const made = await author.api.post(`/groups/${group.id}/topics`, {
      title: "Ouverture de la truite",
      content: "Qui vient samedi ?",
    });
    assert.equal(made.status, 201, made.text);
    const path = `/topics/${made.body.id}`;
    const page = await anonymous(path);
    assert.equal(page.status, 200);
    const kept = await anonymous(path);
    assert.equal(kept.headers.etag, page.headers.etag);
    assert.ok(kept.headers.age !== undefined, "the second read comes from the cache");
    const object = await anonymous(path).set("accept", "application/activity+json");
    assert.equal(object.status, 200);
    assert.match(object.headers["content-type"] ?? "", /activity\+json|ld\+json/);
    const body = JSON.parse(object.text) as { type: string; name: string };
    assert.equal(body.type, "Page");
    assert.equal(body.name, "Ouverture de la truite");
  });

  it("sends a kept page compressed as the browser accepts it, the same page each time", async () => {
    await makeOffer(instance, staff.user.id, { title: "Randonnée des crêtes" });
    const read = (encoding: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(`${instance.url}/offers`, { headers: { "accept-encoding": encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on("error", reject);
      });
    const plain = await read("identity");
    assert.match(plain.body.toString(), /Randonnée des crêtes/);
    for (const [encoding, decode] of [
      ["br", zlib.brotliDecompressSync],
      ["gzip", zlib.gunzipSync],
    ] as const) {
      for (let visit = 0; visit < 2; visit++) {
        const res = await read(encoding);
        assert.ok(res.headers.age !== undefined, "from the cache");
        assert.equal(res.headers["content-encoding"], encoding);
        assert.match(res.headers.vary ?? "", /Accept-Encoding/);
        assert.equal(Number(res.headers["content-length"]), res.body.length);
        assert.equal(decode(res.body).toString(), plain.body.toString());
      }
    }
  });

  it("drops the cache after a write made through the pages", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Visite du barrage" });
    assert.match((await anonymous("/offers")).text, /Visite du barrage/);
    // Written behind the services' back, then any successful form post empties the cache.
    await instance.ctx.db
      .updateTable("offers")
      .set({ title: "Visite de la centrale" })
      .where("id", "=", offer.id)
      .execute();
    assert.match((await anonymous("/offers")).text, /Visite du barrage/, "still cached");
    const page = await staffAgent.get("/offers/alerts");
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const saved = await staffAgent.post("/offers/alerts").type("form").send({ _csrf: token });
    assert.equal(saved.status, 303);
    assert.match((await anonymous("/offers")).text, /Visite de la centrale/);
  });
});

/** What makeOffer gave, read back. */
function inputOf(offer: NonNullable<Awaited<ReturnType<typeof findOffer>>>, categoryId: string) {
  return {
    title: offer.title,
    summary: offer.summary,
    description: "Pique-nique et baignade.",
    categoryId,
    audiences: offer.audiences,
    startsAt: offer.startsAt,
    endsAt: offer.endsAt,
    timezone: offer.timezone,
    registrationOpensAt: offer.registrationOpensAt,
    registrationClosesAt: offer.registrationClosesAt,
    cancellationDeadline: offer.cancellationDeadline,
    locationKind: offer.locationKind,
    address: offer.address,
    postalCode: offer.postalCode,
    city: offer.city,
    latitude: offer.latitude,
    longitude: offer.longitude,
    onlineUrl: offer.onlineUrl,
    capacity: offer.capacity,
    maxPersonsPerRegistration: offer.maxPersonsPerRegistration,
    minAge: offer.minAge,
    maxAge: offer.maxAge,
    priceTiers: offer.priceTiers,
    organiserSlvieId: null,
    visibility: offer.visibility,
  };
}
