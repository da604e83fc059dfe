// A kept page past its age is rendered again by one request while the others still get the
// copy (ADR 0150): an expiry under load must not make every waiting visitor render the page.
// The cache runs in a bare Express app here, with a page that counts its renders.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import express from "express";
import { PageCache } from "../../server/http/page-cache.ts";
import { contentChanged } from "../../server/lib/changes.ts";

describe("page cache: refresh after expiry", () => {
  let renders = 0;
  let version = 1;
  /** What a render waits for before it answers: the test holds it while the others arrive
   * (a fixed delay let late requests, on a loaded machine, arrive after it had finished). */
  let held: Promise<void> = Promise.resolve();
  let url = "";
  let close: () => void = () => {};

  before(async () => {
    const app = express();
    const pages = new PageCache({ maxAge: 1, staleWhileRevalidate: 30 });
    app.use((req, _res, next) => {
      req.lang = "fr";
      next();
    });
    app.get("/page", pages.serve(), (_req, res) => {
      renders++;
      const shown = version;
      void held.then(() => {
        res.set("Cache-Control", "public, max-age=1").send(`<p>version ${shown}</p>`);
      });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
    close = () => server.close();
  });
  after(() => close());

  const read = async () => {
    const res = await fetch(url);
    return { status: res.status, text: await res.text(), age: res.headers.get("age") };
  };

  it("renders an expired page once for twenty visitors at the same time", async () => {
    assert.equal((await read()).text, "<p>version 1</p>");
    assert.equal(renders, 1);
    version = 2;
    await new Promise((r) => setTimeout(r, 1_200)); // past its age of one second
    let release = () => {};
    held = new Promise((resolve) => (release = resolve));
    let answered = 0;
    const reading = Promise.all(Array.from({ length: 20 }, () => read().finally(() => answered++)));
    // The other nineteen are answered from the copy while the one render is held.
    const deadline = Date.now() + 20_000;
    while (answered < 19 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(answered, 19, "nineteen answered while the page renders");
    release();
    const answers = await reading;
    assert.equal(renders, 2, "one render for the twenty");
    for (const answer of answers) assert.equal(answer.status, 200);
    // The one that rendered got the new page; the others the copy, while it rendered.
    assert.equal(answers.filter((a) => a.text === "<p>version 2</p>").length, 1);
    assert.equal(answers.filter((a) => a.text === "<p>version 1</p>").length, 19);
    assert.equal((await read()).text, "<p>version 2</p>", "the new copy is kept");
    assert.equal(renders, 2);
  });

  it("never serves an old copy after published content changed", async () => {
    await new Promise((r) => setTimeout(r, 1_200));
    version = 3;
    contentChanged();
    const answers = await Promise.all(Array.from({ length: 5 }, read));
    for (const answer of answers) assert.equal(answer.text, "<p>version 3</p>");
  });
});
