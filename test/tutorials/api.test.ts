// The tutorials in the JSON API, and their place in the OpenAPI document.
import assert from "node:assert/strict";
import supertest from "supertest";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { forumMember, type ForumMember } from "../forums/helpers.ts";
import { categoryId } from "./support.ts";

describe(`tutorials: the API (${MODE})`, () => {
  let instance: TestInstance;
  let author: ForumMember;
  let reader: ForumMember;

  before(async () => {
    instance = await startTestInstance();
    author = await forumMember(instance, "member", { prefix: "apiauteur" });
    reader = await forumMember(instance, "member", { prefix: "apilecteur" });
  });
  after(() => instance.destroy());

  it("writes a draft, adds steps, publishes, reads it back whole, searches and comments", async () => {
    const created = await author.api.post("/tutorials", {
      title: "Fabriquer des bougies",
      summary: "Avec de la cire d'abeille.",
      category: await categoryId(instance, "arts-loisirs-creatifs"),
      tags: "cire, recyclage",
      difficulty: "moyen",
      duration: 90,
      licence: "cc-by-4.0",
      visibility: "public",
    });
    assert.equal(created.status, 201, created.text);
    const id = (created.body as { id: string; status: string }).id;
    assert.equal((created.body as { status: string }).status, "draft");
    assert.equal((await author.api.post(`/tutorials/${id}/publish`)).status, 422);
    for (const title of ["Faire fondre la cire", "Couler dans les pots"])
      assert.equal(
        (await author.api.post(`/tutorials/${id}/steps`, { title, text: `**${title}**` })).status,
        201,
      );
    assert.equal(
      (await reader.api.post(`/tutorials/${id}/steps`, { title: "Intrus" })).status,
      403,
    );
    assert.equal((await reader.api.get(`/tutorials/${id}`)).status, 404);
    const published = await author.api.post(`/tutorials/${id}/publish`);
    assert.equal(published.status, 200);
    const read = await supertest(instance.url).get(`/api/v1/tutorials/${id}`);
    assert.equal(read.status, 200);
    const body = read.body as { steps: { position: number; title: string; html: string }[] };
    assert.deepEqual(
      body.steps.map((s) => [s.position, s.title]),
      [
        [1, "Faire fondre la cire"],
        [2, "Couler dans les pots"],
      ],
    );
    assert.match(body.steps[0]!.html, /<strong>Faire fondre la cire<\/strong>/);
    const found = await supertest(instance.url).get("/api/v1/tutorials?q=bougie&difficulty=moyen");
    assert.equal(found.status, 200);
    assert.ok((found.body as { items: { id: string }[] }).items.some((t) => t.id === id));
    const said = await reader.api.post(`/tutorials/${id}/comments`, { text: "Quelle mèche ?" });
    assert.equal(said.status, 201, said.text);
    const comments = await supertest(instance.url).get(`/api/v1/tutorials/${id}/comments`);
    assert.match(JSON.stringify(comments.body), /Quelle mèche/);
    const bad = await author.api.post("/tutorials", { title: "x", difficulty: "extrême" });
    assert.equal(bad.status, 400);
  });

  it("lists its routes in the OpenAPI document", async () => {
    const doc = await supertest(instance.url).get("/api/v1/openapi.json");
    const paths = Object.keys((doc.body as { paths: Record<string, unknown> }).paths);
    for (const path of [
      "/tutorials",
      "/tutorials/{id}",
      "/tutorials/{id}/steps",
      "/tutorials/{id}/publish",
      "/tutorials/{id}/comments",
      "/tutorial-contests",
      "/tutorial-contests/{id}",
      "/tutorial-contests/{id}/votes",
    ])
      assert.ok(
        paths.includes(path),
        `${path} in ${paths.filter((p) => p.startsWith("/tut")).join(", ")}`,
      );
  });
});
