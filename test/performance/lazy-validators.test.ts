// Validators are compiled at their first use, not when the module declaring them loads (a
// worker process serves no form and compiled them all at boot); they behave as before.
import assert from "node:assert/strict";
import { parseForm } from "../../server/http/forms.ts";
import { compile, compileDeclared, compileForm } from "../../server/http/validate.ts";
import { startTestInstance } from "../support/instance.ts";

describe("validators compiled at their first use", () => {
  it("every validator of the app, its modules and its plugins compiles", async () => {
    const instance = await startTestInstance();
    try {
      const { count, errors } = compileDeclared();
      // The app declares its forms' and API bodies' validators as its modules load.
      assert.ok(count > 50, `${count} validators declared`);
      // First in this file: the broken schemas of the next test are not declared yet.
      assert.deepEqual(errors, []);
    } finally {
      await instance.destroy();
    }
  });

  it("declaring one compiles nothing: a schema ajv refuses fails at the first validation", () => {
    const broken = { type: "object", properties: { n: { type: "no such type" } } };
    const form = compileForm(broken);
    const api = compile(broken);
    assert.throws(() => form({ n: 1 }), /type/);
    assert.throws(() => api({ n: 1 }), /type/);
  });

  it("validates, coerces and reports errors as the compiled validator does", () => {
    const validate = compileForm<{ seats: number; name: string }>({
      type: "object",
      properties: { seats: { type: "integer", minimum: 1 }, name: { type: "string" } },
      required: ["seats", "name"],
      additionalProperties: false,
    });
    assert.deepEqual(parseForm(validate, { seats: "0", name: "Léa" }), {
      ok: false,
      errors: [{ field: "seats", key: "errors.minimum", values: { limit: 1 } }],
    });
    assert.deepEqual(parseForm(validate, { seats: "3", name: "Léa", extra: "x" }), {
      ok: true,
      value: { seats: 3, name: "Léa" },
    });
    assert.equal(validate.errors, null);
    // The bounds every integer gets (validate.ts) are in the compiled schema.
    const schema = validate.schema as { properties: { seats: { maximum: number } } };
    assert.equal(schema.properties.seats.maximum, 2_147_483_647);
    const api = compile<{ n: number }>({
      type: "object",
      properties: { n: { type: "number" } },
      required: ["n"],
    });
    assert.equal(api({ n: "3" }), false);
    assert.equal(api.errors?.[0]?.keyword, "type");
    assert.equal(api({ n: 3 }), true);
    assert.equal(api.errors, null);
  });
});
