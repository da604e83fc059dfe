// The calendar's map (ADR 0124): configured through MAP_TILE_URL (or HUB_TILE_URL), it adds a map
// container whose markers are the listed offers with coordinates, loads Leaflet from our own
// origin, and lets the CSP allow images from the tile host only; without a tile server there is
// no map and the CSP allows no other host. The list is always there.
import assert from "node:assert/strict";
import supertest from "supertest";
import { loadConfig, ConfigError } from "../../server/config.ts";
import { unescapeHtml } from "../support/web.ts";
import { createMember } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer } from "../offers/support.ts";

const TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png";

function markersOf(html: string): { lat: number; lon: number; title: string; href: string }[] {
  const found = /data-markers="([^"]*)"/.exec(html);
  assert.ok(found, "a map container with markers");
  return JSON.parse(unescapeHtml(found[1]!));
}

describe("hub: the calendar's map", function () {
  this.timeout(120_000);
  let withMap: TestInstance;
  let without: TestInstance;

  before(async () => {
    withMap = await startTestInstance({
      env: { HUB: "1", HUB_TILE_URL: TILES, MAP_ATTRIBUTION: "Tuiles <locales>" },
    });
    without = await startTestInstance({ env: { HUB: "1" } });
    for (const instance of [withMap, without]) {
      const admin = await createMember(instance, "admin");
      await makeOffer(instance, admin.user.id, {
        title: "Fête du lac",
        latitude: 45.19,
        longitude: 5.72,
      });
      await makeOffer(instance, admin.user.id, {
        title: "Randonnée au Vercors",
        latitude: 45.05,
        longitude: 5.45,
      });
      // Coordinates come from the postal code when not given: this one has none at all.
      const bare = await makeOffer(instance, admin.user.id, {
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

  it("reads the tile server from the environment and refuses a template without {z}/{x}/{y}", () => {
    const base = { DATABASE_URL: "postgres://x@127.0.0.1/x", SESSION_SECRET: "s".repeat(40) };
    assert.equal(loadConfig({ ...base }).map, undefined);
    const map = loadConfig({ ...base, MAP_TILE_URL: "https://tiles.example/{z}/{x}/{y}.png" }).map;
    assert.equal(map?.tileOrigin, "https://tiles.example");
    assert.equal(map?.tileUrl, "https://tiles.example/{z}/{x}/{y}.png");
    assert.match(map?.attribution ?? "", /OpenStreetMap/);
    assert.throws(
      () => loadConfig({ ...base, MAP_TILE_URL: "https://tiles.example/tile.png" }),
      ConfigError,
    );
  });

  it("shows the offers with coordinates as markers above the list, and allows the tile host", async () => {
    const res = await supertest(withMap.url).get("/hub/calendar");
    assert.equal(res.status, 200);
    const markers = markersOf(res.text);
    assert.deepEqual(markers.map((m) => m.title).sort(), ["Fête du lac", "Randonnée au Vercors"]);
    assert.ok(markers.every((m) => /^\/offers\/[0-9a-f-]+$/.test(m.href)));
    assert.equal(markers.find((m) => m.title === "Fête du lac")?.lat, 45.19);
    assert.match(res.text, /data-attribution="Tuiles &lt;locales&gt;"/);
    assert.match(res.text, /Atelier en ligne sans lieu/, "the list has every offer");
    const csp = res.headers["content-security-policy"] as string;
    assert.match(csp, /img-src 'self' data: http:\/\/127\.0\.0\.1:9(;|$)/);
    // A filter narrows the markers as it narrows the list.
    const filtered = await supertest(withMap.url).get("/hub/calendar?q=vercors");
    assert.deepEqual(
      markersOf(filtered.text).map((m) => m.title),
      ["Randonnée au Vercors"],
    );
    // Leaflet from our own origin.
    const script = await supertest(withMap.url).get("/static/vendor/leaflet/leaflet.js");
    assert.equal(script.status, 200);
    assert.match(script.text, /Leaflet/);
    const css = await supertest(withMap.url).get("/static/vendor/leaflet/leaflet.css");
    assert.equal(css.status, 200);
  });

  it("has no map and allows no other image host without a tile server", async () => {
    const res = await supertest(without.url).get("/hub/calendar");
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /data-offers-map/);
    assert.match(res.text, /Fête du lac/);
    const csp = res.headers["content-security-policy"] as string;
    assert.match(csp, /img-src 'self' data:(;|$)/);
  });
});
