// The observatory on a hub: figures per territory, category and month, with cells below 5
// persons suppressed in the page, the CSV and the JSON; the dataset's description and licence;
// an instance's admin page for its own offers.
import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { unescapeHtml } from "../support/web.ts";
import { makeOffer } from "../offers/support.ts";

async function book(instance: TestInstance, offerId: string, persons: number) {
  const member = await createMember(instance);
  const { token } = await issueApiToken(instance.ctx.db, member.user.id, "test");
  const res = await supertest(instance.url)
    .post(`/api/v1/offers/${offerId}/registrations`)
    .set("authorization", `Bearer ${token}`)
    .send({ persons });
  assert.equal(res.status, 201, res.text);
}

describe("hub: observatory and open data", function () {
  this.timeout(120_000);
  let hub: TestInstance;
  let month: string;

  before(async () => {
    hub = await startTestInstance({ env: { HUB: "1", INSTANCE_NAME: "CCAS" } });
    const admin = await createMember(hub, "admin");
    const small = await makeOffer(hub, admin.user.id, { title: "Atelier", category: "ateliers" });
    const big = await makeOffer(hub, admin.user.id, {
      title: "Sortie",
      category: "loisirs",
      capacity: 20,
    });
    month = small.startsAt.toISOString().slice(0, 7);
    await book(hub, small.id, 3);
    for (let i = 0; i < 3; i++) await book(hub, big.id, 4);
  });
  after(() => hub.destroy());

  it("suppresses cells below 5 persons in the JSON and the CSV", async () => {
    const json = await supertest(hub.url).get("/hub/observatory.json");
    assert.equal(json.status, 200);
    const rows = json.body.rows as Record<string, unknown>[];
    const cell = (category: string) =>
      rows.find((r) => r.category === category && r.month === month);
    assert.equal(cell("ateliers")?.places_filled, null, "3 persons: suppressed");
    assert.equal(cell("ateliers")?.offers, 1);
    assert.equal(cell("loisirs")?.places_filled, 12);
    assert.equal(json.body.smallCellThreshold, 5);
    assert.ok(
      (json.body.schema.fields as { name: string }[]).some((f) => f.name === "places_filled"),
    );
    assert.match(json.body.licence.url, /licence-ouverte/);
    const csv = await supertest(hub.url).get("/hub/observatory.csv");
    assert.match(csv.headers["content-type"]!, /text\/csv/);
    assert.match(
      csv.text,
      /^territory,territory_name,category,month,offers,cancelled,places_offered,places_filled\n/,
    );
    assert.match(csv.text, new RegExp(`,ateliers,${month},1,0,10,\\n`));
    assert.match(csv.text, new RegExp(`,loisirs,${month},1,0,20,12\\n`));
    assert.doesNotMatch(csv.text, /,3\n/);
  });

  it("shows charts with their tables and describes the dataset", async () => {
    const page = await supertest(hub.url).get("/hub/observatory");
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    assert.match(text, /<svg role="img"/);
    assert.match(text, /moins de 5/);
    assert.doesNotMatch(text, /<td>3<\/td>/);
    const dataset = await supertest(hub.url).get("/hub/observatory/dataset.jsonld");
    const doc = JSON.parse(dataset.text) as Record<string, unknown>;
    assert.equal(doc["@type"], "dcat:Dataset");
    assert.equal(
      (doc["dcat:distribution"] as unknown[]).length,
      4,
      "the observatory and the shared figures, each in CSV and JSON",
    );
  });

  it("gives an instance's admin the report of its own offers", async () => {
    const admin = await createMember(hub, "admin");
    const agent = await loggedIn(hub, admin);
    const page = await agent.get(`/admin/observatory?year=${month.slice(0, 4)}`);
    assert.equal(page.status, 200);
    assert.match(unescapeHtml(page.text), /Bilan des activités/);
    const csv = await agent.get("/admin/observatory.csv");
    assert.match(csv.text, /,loisirs,/);
    const anonymous = await supertest(hub.url).get("/admin/observatory");
    assert.equal(anonymous.status, 303);
  });
});
