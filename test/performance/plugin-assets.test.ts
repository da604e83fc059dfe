// Plugins' stylesheets are fingerprinted as the core's (ADR 0142): pages link them by content
// hash, the hashed address is cached for a year, the plain one and an old hash still answer for
// an hour, and a plugin whose file changed is linked at a new address on its next start.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import supertest from "supertest";
import { PLUGINS_DIR } from "../../app/plugins.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { MODE } from "../support/env.ts";

const YEAR = "public, max-age=31536000, immutable";
const hashOf = (text: string) =>
  crypto.createHash("sha256").update(text).digest("hex").slice(0, 12);

/** The address the page links for the stylesheet ending with `file`. */
function linkTo(page: string, file: string): string | undefined {
  return [...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)]
    .map((m) => m[1]!)
    .find((href) => href.endsWith(`/${file}`));
}

describe(`plugins' static files (${MODE})`, function () {
  this.timeout(120_000);

  describe("a plugin of the repository", () => {
    let instance: TestInstance;
    before(async () => (instance = await startTestInstance()));
    after(() => instance.destroy());

    it("links the reviews' stylesheet by content hash, cached for a year", async () => {
      const get = (url: string) => supertest(instance.url).get(url);
      const file = fs.readFileSync(path.join(PLUGINS_DIR, "reviews/static/reviews.css"), "utf8");
      const page = await get("/offers");
      assert.equal(page.status, 200);
      const href = linkTo(page.text, "reviews.css");
      assert.equal(href, `/static/v/${hashOf(file)}/reviews/reviews.css`);
      const res = await get(href!);
      assert.equal(res.status, 200);
      assert.equal(res.headers["cache-control"], YEAR);
      assert.match(res.headers["content-type"] ?? "", /^text\/css/);
      assert.equal(res.text, file);
      // The plain address still answers, for an hour.
      const plain = await get("/static/reviews/reviews.css");
      assert.equal(plain.status, 200);
      assert.equal(plain.text, file);
      assert.equal(plain.headers["cache-control"], "public, max-age=3600");
      // An address of another version gets today's file, not for a year; an unknown file, 404.
      const old = await get("/static/v/000000000000/reviews/reviews.css");
      assert.equal(old.status, 200);
      assert.equal(old.text, file);
      assert.equal(old.headers["cache-control"], "public, max-age=3600");
      assert.equal((await get("/static/v/000000000000/reviews/nothing.css")).status, 404);
      assert.equal((await get(`/static/v/${hashOf(file)}/reviews/../maillage.css`)).status, 404);
    });
  });

  describe("a plugin whose stylesheet changes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-plugins-"));
    const sheet = path.join(dir, "tinted/static/tinted.css");
    const appPlugin = pathToFileURL(path.join(PLUGINS_DIR, "../app/plugin.ts")).href;
    before(() => {
      fs.mkdirSync(path.dirname(sheet), { recursive: true });
      fs.writeFileSync(
        path.join(dir, "tinted/plugin.ts"),
        `import { fileURLToPath } from "node:url";
import { definePlugin } from ${JSON.stringify(appPlugin)};
export default definePlugin({
  manifest: {
    name: "tinted", version: "1.0.0", api: 1, enabledByDefault: true,
    label: { fr: "Teinte", en: "Tint" }, description: { fr: "Un essai.", en: "A test." },
  },
  module: {
    name: "tinted",
    static: fileURLToPath(new URL("./static", import.meta.url)),
    styles: ["/static/tinted/tinted.css"],
  },
});
`,
      );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The plugin's link on the home page of an instance started now, and what it serves. */
    async function served() {
      const instance = await startTestInstance({ pluginDirs: [PLUGINS_DIR, dir] });
      try {
        const href = linkTo((await supertest(instance.url).get("/")).text, "tinted.css");
        assert.ok(href, "the page links the plugin's stylesheet");
        return { href, res: await supertest(instance.url).get(href) };
      } finally {
        await instance.destroy();
      }
    }

    it("links the new content at a new address", async () => {
      fs.writeFileSync(sheet, ".tinted { color: #0a5; }\n");
      const first = await served();
      assert.equal(
        first.href,
        `/static/v/${hashOf(".tinted { color: #0a5; }\n")}/tinted/tinted.css`,
      );
      assert.equal(first.res.headers["cache-control"], YEAR);
      assert.equal(first.res.text, ".tinted { color: #0a5; }\n");

      fs.writeFileSync(sheet, ".tinted { color: #a05; }\n");
      const instance = await startTestInstance({ pluginDirs: [PLUGINS_DIR, dir] });
      try {
        const get = (url: string) => supertest(instance.url).get(url);
        const href = linkTo((await get("/")).text, "tinted.css");
        assert.equal(href, `/static/v/${hashOf(".tinted { color: #a05; }\n")}/tinted/tinted.css`);
        assert.notEqual(href, first.href);
        const res = await get(href!);
        assert.equal(res.headers["cache-control"], YEAR);
        assert.equal(res.text, ".tinted { color: #a05; }\n");
        // A page cached before the change asks the old address: today's file, for an hour.
        const old = await get(first.href);
        assert.equal(old.status, 200);
        assert.equal(old.text, ".tinted { color: #a05; }\n");
        assert.equal(old.headers["cache-control"], "public, max-age=3600");
      } finally {
        await instance.destroy();
      }
    });
  });
});
