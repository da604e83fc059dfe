// Static files under fingerprinted addresses cached for a year, and the catalogue's weight
// budget: a page of 50 offers, with its stylesheets and scripts, under 100 kB before images.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import supertest from "supertest";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { makeOffer } from "../offers/support.ts";

/** Every template of the app and its plugins, by path. */
function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : templates(file);
    return entry.name.endsWith(".hbs") ? [file] : [];
  });
}

describe(`static files and page weight (${MODE})`, function () {
  // 55 offers written through the services take a while on PGlite.
  this.timeout(180_000);
  let instance: TestInstance;
  const get = (path: string) => supertest(instance.url).get(path);

  before(async () => {
    instance = await startTestInstance();
    const staff = await createMember(instance, "staff");
    for (let i = 0; i < 55; i++)
      await makeOffer(instance, staff.user.id, {
        title: `Randonnée ${i} dans le massif de la Chartreuse`,
        summary:
          "Une journée de marche accompagnée, pique-nique tiré du sac, retour en fin d'après-midi.",
      });
  });
  after(() => instance.destroy());

  it("links stylesheets and scripts by content hash, cached for a year", async () => {
    const page = await get("/offers");
    const links = [...page.text.matchAll(/(?:href|src)="(\/static\/v\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(
      links.some((l) => l.endsWith("/maillage.css")),
      "the main stylesheet",
    );
    assert.ok(
      links.some((l) => l.endsWith(".js")),
      "a script",
    );
    assert.doesNotMatch(page.text, /href="\/static\/maillage\.css"/);
    for (const link of links) {
      const res = await get(link);
      assert.equal(res.status, 200, link);
      assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable", link);
      const plain = await get(link.replace(/\/v\/[0-9a-f]+\//, "/"));
      assert.equal(res.text, plain.text, `${link} is the file`);
      assert.doesNotMatch(plain.headers["cache-control"] ?? "", /immutable/);
    }
    // An address of another version still answers, but is not kept for a year.
    const old = await get("/static/v/000000000000/maillage.css");
    assert.equal(old.status, 200);
    assert.doesNotMatch(old.headers["cache-control"] ?? "", /immutable/);
    assert.equal((await get("/static/v/000000000000/nothing.css")).status, 404);
    // The instance's colours: the address a page links is its version's, kept for a year.
    const theme = /href="(\/theme\.css\?v=\d+)"/.exec(page.text)?.[1];
    assert.ok(theme, "the theme stylesheet is linked by version");
    assert.equal(
      (await get(theme)).headers["cache-control"],
      "public, max-age=31536000, immutable",
    );
    assert.equal((await get("/theme.css?v=1")).headers["cache-control"], "public, max-age=60");
    assert.equal((await get("/theme.css")).headers["cache-control"], "public, max-age=60");
  });

  it("links no stylesheet or script of any template by an address without its hash", () => {
    const files = [...templates("views"), ...templates("plugins")];
    assert.ok(files.length > 100, "the templates are found");
    const plain = files.flatMap((file) =>
      [...fs.readFileSync(file, "utf8").matchAll(/(?:href|src)="(\/static\/[^"{]+)"/g)].map(
        (m) => `${file}: ${m[1]}`,
      ),
    );
    assert.deepEqual(plain, []);
  });

  it("keeps the catalogue of 50 offers under 100 kB before images", async () => {
    const page = await get("/offers");
    assert.equal(page.status, 200);
    assert.equal((page.text.match(/class="card offer-card/g) ?? []).length, 50);
    let bytes = Buffer.byteLength(page.text);
    // Everything the page loads on a screen: stylesheets (not print) and scripts.
    const sheets = [
      ...page.text.matchAll(/<link rel="stylesheet" href="([^"]+)"(?! media="print")/g),
    ];
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)];
    for (const [, href] of [...sheets, ...scripts]) {
      const res = await get(href!);
      assert.equal(res.status, 200, href);
      bytes += Buffer.byteLength(res.text);
    }
    assert.ok(bytes < 100_000, `the catalogue weighs ${bytes} bytes`);
  });

  it("compresses pages for browsers that accept it, and keeps conditional requests working", async () => {
    const raw = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
        (resolve, reject) => {
          http
            .get(`${instance.url}${path}`, { headers }, (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () =>
                resolve({
                  status: res.statusCode!,
                  headers: res.headers,
                  body: Buffer.concat(chunks),
                }),
              );
            })
            .on("error", reject);
        },
      );
    const plain = await raw("/offers", { accept: "text/html" });
    assert.equal(plain.headers["content-encoding"], undefined);
    const gzip = await raw("/offers", { accept: "text/html", "accept-encoding": "gzip" });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.match(gzip.headers.vary ?? "", /accept-encoding/i);
    const page = zlib.gunzipSync(gzip.body).toString();
    assert.equal((page.match(/class="card offer-card/g) ?? []).length, 50);
    assert.ok(gzip.body.length * 4 < page.length, `${gzip.body.length} of ${page.length} bytes`);
    const br = await raw("/api/v1/offers", { "accept-encoding": "br" });
    assert.equal(br.headers["content-encoding"], "br");
    assert.ok(Array.isArray(JSON.parse(zlib.brotliDecompressSync(br.body).toString()).items));
    const sheet = page.match(/href="(\/static\/v\/[^"]+maillage\.css)"/)![1]!;
    const css = await raw(sheet, { "accept-encoding": "gzip" });
    assert.equal(css.headers["content-encoding"], "gzip");
    const etag = css.headers.etag!;
    const again = await raw(sheet, { "accept-encoding": "gzip", "if-none-match": etag });
    assert.equal(again.status, 304);
  });

  it("leaves compression to the proxy with COMPRESS=0", async () => {
    const off = await startTestInstance({ env: { COMPRESS: "0" } });
    try {
      const res = await supertest(off.url).get("/offers").set("accept-encoding", "gzip, br");
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-encoding"], undefined);
    } finally {
      await off.destroy();
    }
  });
});
