// The solidarity plugins' API routes are in the OpenAPI document while they are on, and the
// document stays valid OpenAPI 3.1 with all four on.
import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import supertest from "supertest";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { MODE } from "../support/env.ts";

const PLUGINS = ["sel", "missions", "covoiturage", "logement"];

describe(`plugins: the solidarity routes in the OpenAPI document (${MODE})`, () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("documents every route of the four plugins once they are on", async () => {
    const off = await supertest(instance.url).get("/api/v1/openapi.json").expect(200);
    assert.ok(off.body.paths["/messages"], "messages are a core module");
    assert.ok(!off.body.paths["/sel/listings"]);
    for (const name of PLUGINS) {
      const done = await instance.ctx.modules.setEnabled(name, true, null);
      assert.ok(done.ok, name);
    }
    const res = await supertest(instance.url).get("/api/v1/openapi.json").expect(200);
    const result = await new Validator().validate(res.body as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(
      ([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`),
    );
    for (const op of [
      "get /messages",
      "get /messages/{id}",
      "post /messages/{id}",
      "get /sel/listings",
      "get /sel/balance",
      "post /sel/listings/{id}/exchanges",
      "post /sel/exchanges/{id}/decision",
      "get /missions",
      "post /missions/{id}/slots/{slotId}/registrations",
      "delete /missions/{id}/slots/{slotId}/registrations",
      "get /covoiturage/rides",
      "post /covoiturage/rides",
      "get /covoiturage/rides/{id}/matches",
      "get /logement",
      "post /logement",
    ])
      assert.ok(documented.includes(op), `${op} is documented`);
  });
});
