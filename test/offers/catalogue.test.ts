import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { unescapeHtml } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { DAY, makeOffer } from "./support.ts";

describe(`offers: finding activities (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let staffToken: string;
  const ids: Record<string, string> = {};

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    staffToken = (await issueApiToken(instance.ctx.db, staff.user.id, "test")).token;
    const at = (days: number) => new Date(Date.now() + days * DAY);
    const offers = [
      {
        key: "ski",
        title: "Séjour de ski à Chamrousse",
        category: "sejours",
        postalCode: "38410",
        city: "Chamrousse",
        startsAt: at(20),
        audiences: ["familles" as const],
        priceTiers: [
          { upTo: 8000, price: 12000 },
          { upTo: null, price: 25000 },
        ],
      },
      {
        key: "pottery",
        title: "Atelier poterie",
        category: "ateliers",
        postalCode: "69003",
        city: "Lyon",
        startsAt: at(5),
        priceTiers: [{ upTo: null, price: 1500 }],
      },
      {
        key: "theatre",
        title: "Soirée théâtre",
        category: "culture",
        postalCode: "38000",
        city: "Grenoble",
        startsAt: at(40),
        audiences: ["pensionnes" as const],
        capacity: 1,
      },
      {
        key: "local",
        title: "Réunion des bénévoles",
        category: "solidarite",
        postalCode: "38000",
        city: "Grenoble",
        startsAt: at(8),
        visibility: "local" as const,
      },
    ];
    for (const { key, startsAt, ...rest } of offers) {
      const offer = await makeOffer(instance, staff.user.id, {
        ...rest,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3 * 3600_000),
      });
      ids[key] = offer.id;
    }
    const member = await createMember(instance);
    const token = (await issueApiToken(instance.ctx.db, member.user.id, "t")).token;
    await supertest(instance.url)
      .post(`/api/v1/offers/${ids.theatre}/registrations`)
      .set("Authorization", `Bearer ${token}`)
      .send({ persons: 1 })
      .expect(201);
  });
  after(() => instance.destroy());

  const search = async (query: string) => {
    const res = await supertest(instance.url).get(`/api/v1/offers?${query}`);
    assert.equal(res.status, 200, res.text);
    return (res.body.items as { id: string }[]).map((i) => i.id);
  };

  it("finds « Séjour de ski » for « sejours ski », ignoring accents and plurals", async () => {
    assert.deepEqual(await search("q=sejours%20ski"), [ids.ski]);
    assert.deepEqual(await search("q=SÉJOUR"), [ids.ski]);
    assert.deepEqual(await search("q=poteries"), [ids.pottery]);
    const page = await supertest(instance.url).get("/offers?q=sejours+ski");
    assert.match(unescapeHtml(page.text), /Séjour de ski à Chamrousse/);
    assert.doesNotMatch(page.text, /Atelier poterie/);
    assert.match(unescapeHtml(page.text), /1 activité/);
  });

  it("sorts by date and filters by category, audience, price, places and dates", async () => {
    assert.deepEqual(await search(""), [ids.pottery, ids.ski, ids.theatre]);
    assert.deepEqual(await search("category=sejours"), [ids.ski]);
    assert.deepEqual(await search("audience=pensionnes"), [ids.pottery, ids.theatre]);
    assert.deepEqual(await search("maxPrice=20"), [ids.pottery, ids.theatre]);
    assert.deepEqual(await search("available=true"), [ids.pottery, ids.ski]);
    const from = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    assert.deepEqual(await search(`from=${from}&to=${to}`), [ids.ski]);
    const html = await supertest(instance.url).get("/offers?available=true&category=sejours");
    assert.match(unescapeHtml(html.text), /Séjour de ski/);
    assert.doesNotMatch(unescapeHtml(html.text), /Soirée théâtre/);
  });

  it("finds offers within N km of a postal code or a commune, without JavaScript", async () => {
    // Grenoble (38000) — Chamrousse is about 15 km away, Lyon about 95 km.
    assert.deepEqual(await search("near=38000&radius=10"), [ids.theatre]);
    assert.deepEqual(await search("near=38000&radius=30"), [ids.ski, ids.theatre]);
    assert.deepEqual(await search("near=Grenoble&radius=200"), [ids.pottery, ids.ski, ids.theatre]);
    assert.deepEqual(await search("lat=45.76&lon=4.85&radius=10"), [ids.pottery]);
    const page = await supertest(instance.url).get("/offers?near=38000&radius=30");
    assert.match(unescapeHtml(page.text), /Autour de 38000 Grenoble/);
    assert.match(unescapeHtml(page.text), /à \d+ km/);
    const unknown = await supertest(instance.url).get("/offers?near=99999");
    assert.match(unescapeHtml(unknown.text), /ne connaissons pas ce code postal/);
    const api = await supertest(instance.url).get("/api/v1/offers?near=99999");
    assert.equal(api.status, 400);
    assert.equal(api.body.errors[0].field, "near");
  });

  it("shows local offers to members only", async () => {
    assert.ok(!(await search("")).includes(ids.local!));
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    assert.match((await agent.get("/offers")).text, /Réunion des bénévoles/);
    assert.equal((await supertest(instance.url).get(`/api/v1/offers/${ids.local}`)).status, 404);
    const token = (await issueApiToken(instance.ctx.db, member.user.id, "t")).token;
    const res = await supertest(instance.url)
      .get(`/api/v1/offers/${ids.local}`)
      .set("Authorization", `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.placesLeft, 10);
  });

  it("renders a description with script and event-handler payloads inert", async () => {
    const payload = [
      "<p>Programme <strong>complet</strong></p>",
      "<script>alert('xss')</script>",
      '<img src="x" onerror="alert(1)">',
      '<a href="javascript:alert(2)" onclick="alert(3)">lien piégé</a>',
      '<a href="https://exemple.fr/programme">programme</a>',
      '<p style="background:url(javascript:alert(4))" onmouseover="alert(5)">texte</p>',
      '<iframe src="https://evil.example"></iframe><svg onload=alert(6)></svg>',
    ].join("\n");
    const created = await supertest(instance.url)
      .post("/api/v1/offers")
      .set("Authorization", `Bearer ${staffToken}`)
      .send({
        title: "Activité piégée",
        category: "loisirs",
        startsAt: new Date(Date.now() + 3 * DAY).toISOString(),
        endsAt: new Date(Date.now() + 3 * DAY + 3600_000).toISOString(),
        capacity: 5,
        city: "Grenoble",
        description: payload,
        publish: true,
      });
    assert.equal(created.status, 201, created.text);
    const page = await supertest(instance.url).get(`/offers/${created.body.id}`);
    assert.equal(page.status, 200);
    const main = page.text.slice(page.text.indexOf("<main"), page.text.indexOf("</main>"));
    for (const bad of [
      /<script/i,
      /onerror/i,
      /onclick/i,
      /onmouseover/i,
      /onload/i,
      /javascript:/i,
      /<iframe/i,
      /<svg/i,
      /style=/i,
    ])
      assert.doesNotMatch(main, bad);
    assert.match(main, /<strong>complet<\/strong>/);
    assert.match(
      main,
      /<a href="https:\/\/exemple.fr\/programme" rel="nofollow ugc noopener noreferrer">programme<\/a>/,
    );
    assert.doesNotMatch(created.body.descriptionHtml, /script|onerror|javascript:/i);
    assert.match(page.headers["content-security-policy"] ?? "", /script-src 'self'/);
  });

  it("shows a month calendar, the last-minute list and the home page block", async () => {
    const month = new Date(Date.now() + 20 * DAY).toISOString().slice(0, 7);
    const calendar = await supertest(instance.url).get(`/offers/calendar?month=${month}`);
    assert.equal(calendar.status, 200);
    assert.match(calendar.text, /<table class="month">/);
    assert.match(unescapeHtml(calendar.text), /Séjour de ski à Chamrousse/);
    const lastMinute = await supertest(instance.url).get("/offers/last-minute");
    assert.equal(lastMinute.status, 200);
    assert.doesNotMatch(unescapeHtml(lastMinute.text), /Séjour de ski/, "20 days away");
    await instance.ctx.db
      .updateTable("offers")
      .set({
        starts_at: new Date(Date.now() + DAY),
        ends_at: new Date(Date.now() + DAY + 3600_000),
      })
      .where("id", "=", ids.pottery!)
      .execute();
    assert.match(
      unescapeHtml((await supertest(instance.url).get("/offers/last-minute")).text),
      /Atelier poterie/,
    );
    const home = await supertest(instance.url).get("/");
    assert.match(unescapeHtml(home.text), /Prochaines activités/);
    assert.match(unescapeHtml(home.text), /Atelier poterie/);
    assert.match(home.text, /href="\/offers"[^>]*>Activités</);
  });

  it("declares every offers route in the OpenAPI document", async () => {
    const doc = (await supertest(instance.url).get("/api/v1/openapi.json")).body;
    for (const [path, method] of [
      ["/offers", "get"],
      ["/offers", "post"],
      ["/offers/{id}", "get"],
      ["/offers/{id}", "patch"],
      ["/offers/{id}/registrations", "post"],
      ["/offers/{id}/registrations", "get"],
      ["/offers/{id}/registrations/me", "delete"],
      ["/me/registrations", "get"],
    ])
      assert.ok(doc.paths[path!]?.[method!], `${method} ${path}`);
  });
});
