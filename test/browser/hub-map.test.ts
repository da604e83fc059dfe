// The calendar's map in Chromium (ADR 0124), tiles from a local tile server on 127.0.0.1 (never
// the internet): with JavaScript the map shows one marker per listed offer with coordinates, the
// tiles load (the CSP allows their host) and axe passes; with JavaScript off the list is there
// and the map container stays hidden.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { makeOffer } from "../offers/support.ts";
import { chromiumAvailable, contextFor, launch, scanPage } from "./harness.ts";

// A 1×1 grey PNG stands for every tile.
const TILE = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mN8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==",
  "base64",
);

describe("browser: the hub calendar's and the catalogue's map", function () {
  this.timeout(5 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let tiles: http.Server;
  const tileRequests: string[] = [];

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    tiles = http.createServer((req, res) => {
      tileRequests.push(req.url ?? "");
      res.writeHead(200, { "content-type": "image/png" }).end(TILE);
    });
    await new Promise<void>((done) => tiles.listen(0, "127.0.0.1", done));
    const port = (tiles.address() as AddressInfo).port;
    instance = await startTestInstance({
      env: { HUB: "1", MAP_TILE_URL: `http://127.0.0.1:${port}/{z}/{x}/{y}.png` },
    });
    const admin = await createMember(instance, "admin");
    const places = [
      ["Fête du lac", 45.19, 5.72],
      ["Randonnée au Vercors", 45.05, 5.45],
      ["Visite de Chambéry", 45.56, 5.92],
    ] as const;
    for (const [title, latitude, longitude] of places)
      await makeOffer(instance, admin.user.id, { title, latitude, longitude });
    const bare = await makeOffer(instance, admin.user.id, { title: "Atelier sans lieu" });
    await instance.ctx.db
      .updateTable("offers")
      .set({ latitude: null, longitude: null })
      .where("id", "=", bare.id)
      .execute();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await instance?.destroy();
    // Skipped suites never started the tile server: nothing to close, nothing to wait for.
    if (tiles) await new Promise((done) => tiles.close(done));
  });

  it("shows a marker per offer with coordinates, tiles from the configured server, and passes axe", async () => {
    const context = await contextFor(browser, instance.url);
    const page = await context.newPage();
    await page.goto("/hub/calendar");
    const expected = JSON.parse(
      (await page.getAttribute("[data-offers-map]", "data-markers")) ?? "[]",
    ) as unknown[];
    assert.equal(expected.length, 3);
    await page.locator(".leaflet-marker-icon").first().waitFor();
    assert.equal(await page.locator(".leaflet-marker-icon").count(), expected.length);
    assert.equal(await page.locator("[data-offers-map]").isVisible(), true);
    // The library is linked by content hash, and its marker picture, named by its stylesheet's
    // relative address, still loads from there.
    assert.match(
      (await page.locator('link[href*="leaflet.css"]').getAttribute("href")) ?? "",
      /^\/static\/v\/[0-9a-f]{12}\/vendor\/leaflet\/leaflet\.css$/,
    );
    await page.waitForFunction(() => {
      const icon = document.querySelector<HTMLImageElement>("img.leaflet-marker-icon");
      return icon !== null && icon.complete && icon.naturalWidth > 0;
    });
    await page.waitForFunction(
      () => document.querySelectorAll("img.leaflet-tile-loaded").length > 0,
    );
    assert.ok(tileRequests.length > 0, "tiles asked of the local server");
    assert.match(await page.locator(".leaflet-control-attribution").innerText(), /OpenStreetMap/);
    // A marker opens a link to its offer.
    await page.locator(".leaflet-marker-icon").first().click();
    assert.match(
      (await page.locator(".leaflet-popup-content a").getAttribute("href")) ?? "",
      /^\/offers\//,
    );
    await page.close();
    for (const width of [1280, 360]) {
      const scanned = await scanPage(
        context,
        {
          path: "/hub/calendar",
          as: "anonymous",
          prepare: async (p) => {
            await p.setViewportSize({ width, height: 800 });
            await p.locator(".leaflet-marker-icon").first().waitFor();
            const wide = await p.evaluate(
              () => document.documentElement.scrollWidth > window.innerWidth,
            );
            assert.equal(wide, false, `no sideways scroll at ${width} px`);
          },
        },
        instance.url,
      );
      assert.deepEqual(scanned.problems, []);
    }
    await context.close();
  });

  it("shows the catalogue's results on the same map, and passes axe at 390 px and desktop", async () => {
    const context = await contextFor(browser, instance.url);
    for (const width of [1280, 390]) {
      const scanned = await scanPage(
        context,
        {
          path: "/offers",
          as: "anonymous",
          prepare: async (p) => {
            await p.setViewportSize({ width, height: 800 });
            await p.locator(".leaflet-marker-icon").first().waitFor();
            assert.equal(await p.locator(".leaflet-marker-icon").count(), 3);
            const wide = await p.evaluate(
              () => document.documentElement.scrollWidth > window.innerWidth,
            );
            assert.equal(wide, false, `no sideways scroll at ${width} px`);
          },
        },
        instance.url,
      );
      assert.deepEqual(scanned.problems, []);
    }
    await context.close();
    const noScript = await contextFor(browser, instance.url, undefined, false);
    const page = await noScript.newPage();
    await page.goto("/offers");
    assert.equal(await page.locator("[data-offers-map]").isVisible(), false);
    assert.ok((await page.locator("main").innerText()).includes("Atelier sans lieu"));
    await noScript.close();
  });

  it("is a list with JavaScript off", async () => {
    const context = await contextFor(browser, instance.url, undefined, false);
    const page = await context.newPage();
    await page.goto("/hub/calendar");
    assert.equal(await page.locator("article h4").count(), 4);
    assert.equal(await page.locator("[data-offers-map]").isVisible(), false);
    assert.equal(await page.locator(".leaflet-marker-icon").count(), 0);
    await context.close();
  });
});
