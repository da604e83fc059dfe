// Plugins at run time: a test plugin (test/fixtures/plugins/greetings) with a page, API routes, a
// job, a scheduled task and an inbox route for its own object type is switched off and on from
// the Modules page; each part goes away and comes back, its data kept. Plugins that throw at load
// or want another plugin API do not stop the instance, which tells about them.
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signRequest } from "@fedify/fedify";
import { sql } from "kysely";
import supertest from "supertest";
import pino from "pino";
import { PLUGINS_DIR } from "../../app/plugins.ts";
import { loadConfig, ConfigError } from "../../server/config.ts";
import { ModuleRegistry } from "../../server/modules/registry.ts";
import {
  drain,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";
import { loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { submit, type Agent } from "../support/web.ts";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/plugins");

/**
 * `from`'s CMCAS actor sends `to` a signed Create of a Greeting, over HTTP. Fedify refuses an
 * object whose only type it does not know, so the custom type comes first, beside a known one;
 * the inbox routes on the first type as written.
 */
async function sendGreeting(from: Peer, to: Peer, text: string) {
  const actor = `${from.url}/users/cmcas`;
  const id = crypto.randomUUID();
  const body = {
    "@context": [
      "https://www.w3.org/ns/activitystreams",
      { Greeting: "https://maillage.example/ns#Greeting" },
    ],
    id: `${from.url}/activities/${id}`,
    type: "Create",
    actor,
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    object: {
      id: `${from.url}/greetings/${id}`,
      type: ["Greeting", "Note"],
      attributedTo: actor,
      content: text,
    },
  };
  const key = (await from.instance.federation.keys.pairs("cmcas"))[0]!.privateKey;
  const request = await signRequest(
    new Request(`${to.url}/inbox`, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify(body),
    }),
    key,
    new URL(`${actor}#main-key`),
  );
  const res = await fetch(request);
  assert.equal(res.status, 202, await res.text());
}

describe(`plugins: loading, switching off and on at run time (${MODE})`, function () {
  this.timeout(240_000);
  let net: Network;
  let a: Peer;
  let b: Peer;
  let admin: Agent;

  const greetings = () =>
    a.instance.ctx.db.selectFrom("greetings").select(["text", "source"]).orderBy("id").execute();
  const http = () => supertest(a.url);
  const switchTo = async (state: "on" | "off") => {
    const res = await submit(admin, "/admin/modules", "/admin/modules/greetings", {
      enabled: state,
    });
    assert.equal(res.status, 303, res.text);
  };
  /** Makes the scheduled task due now and runs the scheduler's tick. */
  const tickNow = async () => {
    await a.instance.ctx.db
      .updateTable("schedules")
      .set({ next_run_at: new Date(Date.now() - 1000) })
      .where("name", "=", "greetings.tick")
      .execute();
    await a.instance.scheduler!.tick();
    await drain(a);
  };
  const apiPaths = async () =>
    Object.keys(((await http().get("/api/v1/openapi.json")).body as { paths: object }).paths);

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] }, { pluginDirs: [PLUGINS_DIR, FIXTURES] });
    a = net.a!;
    b = net.b!;
    admin = await loggedIn(a.instance, a.admin);
  });
  after(() => stopNetwork(net));

  it("boots beside a plugin that throws at load and one that wants another plugin API, and tells", async () => {
    const ready = await http().get("/readyz");
    assert.equal(ready.status, 200, ready.text);
    const body = ready.body as {
      checks: { plugins: string };
      details: { plugins: { name: string; error: string }[] };
    };
    assert.equal(body.checks.plugins, "failed");
    const failed = Object.fromEntries(body.details.plugins.map((p) => [p.name, p.error]));
    assert.deepEqual(Object.keys(failed).sort(), ["exploding", "future"]);
    assert.match(failed.exploding!, /could not find its configuration/);
    assert.match(failed.future!, /plugin API 99.*plugin API 1/);

    const page = await admin.get("/admin/modules");
    assert.equal(page.status, 200);
    assert.match(page.text, /could not find its configuration/);
    assert.match(page.text, /written for plugin API 99/);
    assert.doesNotMatch(page.text, /action="\/admin\/modules\/exploding"/);
    // The rest runs: a core page and the test plugin's entry.
    assert.equal((await http().get("/offers")).status, 200);
    assert.match(page.text, /Salutations/);
  });

  it("keeps a plugin that is off by default absent, and migrates it when an admin switches it on", async () => {
    assert.equal((await http().get("/greetings")).status, 404);
    assert.equal((await http().get("/api/v1/greetings")).status, 404);
    const table = await sql<{
      t: string | null;
    }>`select to_regclass('greetings')::text as t`.execute(a.instance.ctx.db);
    assert.equal(table.rows[0]!.t, null);

    await switchTo("on");
    const migrated = await a.instance.ctx.db
      .selectFrom("module_migrations")
      .select(["module", "version"])
      .where("module", "=", "greetings")
      .execute();
    assert.deepEqual(migrated, [{ module: "greetings", version: 1 }]);
    const page = await admin.get("/greetings");
    assert.equal(page.status, 200);
    assert.match(page.text, /href="\/greetings"/);
    assert.ok((await apiPaths()).includes("/greetings"));
  });

  it("takes each part away when switched off and brings it back, its data kept", async () => {
    // On: the API's job, the scheduled task and the inbox route each leave a greeting.
    const posted = await http()
      .post("/api/v1/greetings")
      .set("authorization", `Bearer ${a.admin.token}`)
      .send({ text: "salut" });
    assert.equal(posted.status, 202, posted.text);
    await tickNow();
    await sendGreeting(b, a, "bonjour de b");
    await waitFor("the three greetings", async () => (await greetings()).length === 3);
    assert.deepEqual((await greetings()).map((g) => g.source).sort(), ["job", "remote", "tick"]);

    await switchTo("off");
    assert.equal((await admin.get("/greetings")).status, 404);
    assert.doesNotMatch((await admin.get("/")).text, /href="\/greetings"/);
    assert.equal((await http().get("/api/v1/greetings")).status, 404);
    const refused = await http()
      .post("/api/v1/greetings")
      .set("authorization", `Bearer ${a.admin.token}`)
      .send({ text: "pendant" });
    assert.equal(refused.status, 404);
    assert.ok(!(await apiPaths()).includes("/greetings"));
    // A job queued before (or around) the switch is not run; the task is not even claimed.
    await a.instance.ctx.queue.enqueue("greetings.record", { text: "pendant" });
    await drain(a);
    await tickNow();
    const schedule = await a.instance.ctx.db
      .selectFrom("schedules")
      .select("next_run_at")
      .where("name", "=", "greetings.tick")
      .executeTakeFirstOrThrow();
    assert.ok(schedule.next_run_at.getTime() < Date.now(), "the task was claimed while off");
    // Another instance's Greeting is accepted by the inbox and ignored.
    await sendGreeting(b, a, "ignoré");
    await drain(a);
    assert.equal((await greetings()).length, 3);

    await switchTo("on");
    const page = await admin.get("/greetings");
    assert.equal(page.status, 200);
    for (const text of ["salut", "bonjour de b", "tick"]) assert.match(page.text, new RegExp(text));
    const listed = await http().get("/api/v1/greetings");
    assert.equal((listed.body as { items: unknown[] }).items.length, 3);
    await a.instance.ctx.queue.enqueue("greetings.record", { text: "encore" });
    await tickNow();
    await sendGreeting(b, a, "de retour");
    await waitFor("three more greetings", async () => (await greetings()).length === 6);
  });

  it("draws a plugin's settings from its JSON Schema, and refuses what the schema refuses", async () => {
    const page = await admin.get("/admin/modules");
    assert.match(page.text, /id="field-greetings\.salutation"[^>]*value="Bonjour"/);
    assert.match(
      page.text,
      /id="field-greetings\.repeat"[^>]*type="number"|type="number"[^>]*id="field-greetings\.repeat"/,
    );
    const bad = await submit(admin, "/admin/modules", "/admin/modules/greetings/settings", {
      "greetings.salutation": "Salut",
      "greetings.repeat": 7,
    });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /href="#field-greetings\.repeat"/);
    const good = await submit(admin, "/admin/modules", "/admin/modules/greetings/settings", {
      "greetings.salutation": "Salut",
      "greetings.repeat": 2,
      "greetings.loud": "on",
    });
    assert.equal(good.status, 303, good.text);
    assert.match((await admin.get("/greetings")).text, /class="salutation">SALUT</);
    assert.deepEqual(a.instance.ctx.modules.settings("greetings"), {
      salutation: "Salut",
      repeat: 2,
      loud: true,
    });
  });

  it("lets the operator's PLUGINS keep a plugin on or off, whatever the admins choose", async () => {
    assert.deepEqual(loadConfig({ PLUGINS: "greetings, -reviews" }).plugins, {
      on: ["greetings"],
      off: ["reviews"],
    });
    assert.throws(() => loadConfig({ PLUGINS: "Greetings!" }), ConfigError);
    assert.throws(() => loadConfig({ PLUGINS: "a,-a" }), ConfigError);
    const info = a.instance.ctx.modules.info("greetings")!;
    const kept = new ModuleRegistry(
      a.instance.ctx.db,
      pino({ level: "silent" }),
      { on: [], off: ["greetings"] },
      [info],
    );
    await kept.refresh();
    assert.equal(kept.isEnabled("greetings"), false);
    assert.deepEqual(await kept.setEnabled("greetings", true, null), {
      ok: false,
      error: "operator",
    });
    assert.equal((await admin.get("/admin/modules")).status, 200);
  });
});
