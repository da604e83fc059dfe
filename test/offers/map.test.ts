// The catalogue's map (issue 17, ADR 0124): with a tile server configured, the catalogue adds the
// map container whose markers are the listed offers with coordinates, narrowed by the same
// filters as the list; without one there is no map. The list is always there.
import assert from "node:assert/strict";
import supertest from "supertest";
import { unescapeHtml } from "../support/web.ts";
import { createMember } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer } from "./support.ts";

const TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png";

function markersOf(html: string): { lat: number; lon: number; title: string; href: string }[] {
  const found = /data-markers="([^"]*)"/.exec(html);
  assert.ok(found, "a map container with markers");
  return JSON.parse(unescapeHtml(found[1]!));
}

describe("offers: the catalogue's map", function () {
  this.timeout(120_000);
  let withMap: TestInstance;
  let without: TestInstance;

  before(async () => {
    withMap = await startTestInstance({
      env: { MAP_TILE_URL: TILES, MAP_ATTRIBUTION: "Tuiles <locales>" },
    });
    without = await startTestInstance();
    for (const instance of [withMap, without]) {
      const staff = await createMember(instance, "staff");
      await makeOffer(instance, staff.user.id, {
        title: "Fête du lac",
        latitude: 45.19,
        longitude: 5.72,
      });
      await makeOffer(instance, staff.user.id, {
        title: "Randonnée au Vercors",
        latitude: 45.05,
        longitude: 5.45,
      });
      const bare = await makeOffer(instance, staff.user.id, {
        title: "Atelier en ligne sans lieu",
      });
      await instance.ctx.db
        .updateTable("offers")
        .set({ latitude: null, longitude: null })
        .where("id", "=", bare.id)
        .execute();
    }
  });

  after(async () => {
    await withMap?.destroy();
    await without?.destroy();
  });

  it("shows the listed offers with coordinates as markers, narrowed by the filters", async () => {
    const res = await supertest(withMap.url).get("/offers");
    assert.equal(res.status, 200);
    const markers = markersOf(res.text);
    assert.deepEqual(markers.map((m) => m.title).sort(), ["Fête du lac", "Randonnée au Vercors"]);
    assert.ok(markers.every((m) => /^\/offers\/[0-9a-f-]+$/.test(m.href)));
    assert.equal(markers.find((m) => m.title === "Randonnée au Vercors")?.lon, 5.45);
    assert.match(res.text, /data-attribution="Tuiles &lt;locales&gt;"/);
    assert.match(res.text, /aria-label="Carte des activités de cette page/);
    // The list still has every offer, and comes without JavaScript (the map is hidden until then).
    assert.match(res.text, /Atelier en ligne sans lieu/);
    assert.match(res.text, /data-offers-map[^>]* hidden>/);
    const csp = res.headers["content-security-policy"] as string;
    assert.match(csp, /img-src 'self' data: http:\/\/127\.0\.0\.1:9(;|$)/);
    const filtered = await supertest(withMap.url).get("/offers?q=vercors");
    assert.deepEqual(
      markersOf(filtered.text).map((m) => m.title),
      ["Randonnée au Vercors"],
    );
    // Nothing with coordinates listed: no map at all.
    const none = await supertest(withMap.url).get("/offers?q=atelier");
    assert.match(none.text, /Atelier en ligne sans lieu/);
    assert.doesNotMatch(none.text, /data-offers-map/);
    const english = await supertest(withMap.url).get("/offers").set("Cookie", "lang=en");
    assert.match(english.text, /aria-label="Map of the activities on this page/);
  });

  it("has no map without a tile server", async () => {
    const res = await supertest(without.url).get("/offers");
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /data-offers-map/);
    assert.match(res.text, /Fête du lac/);
  });
});
