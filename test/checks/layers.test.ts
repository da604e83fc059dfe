// The checks `npm run check:layers` runs (ADR 0062) pass on this checkout and fail on a small
// tree that breaks each rule: server/ importing federation/, server/ or federation/ importing
// plugins/ or app/ (ADR 0061), an import cycle across folders, and federation/ writing a domain
// table (Kysely and raw SQL).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { checkFederationWrites } from "../../bin/check-federation-writes.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEPCRUISE = path.join(ROOT, "node_modules/.bin/depcruise");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");

async function cruise(cwd: string, ...folders: string[]) {
  try {
    const { stdout } = await promisify(execFile)(
      DEPCRUISE,
      ["--config", CONFIG, "--output-type", "err", ...folders],
      { cwd },
    );
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string };
    return { ok: false, output: `${failed.stdout}${failed.stderr}` };
  }
}

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-layers-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe("checks: the layers' rules", function () {
  this.timeout(120_000);
  const made: string[] = [];
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("pass on this checkout", async () => {
    const result = await cruise(ROOT, "server", "federation", "app", "bin", "plugins");
    assert.ok(result.ok, result.output);
    assert.deepEqual(checkFederationWrites(ROOT), []);
  });

  it("refuse server/ importing federation/, and a cycle across folders (not one inside a folder)", async () => {
    const root = tree({
      "server/offers/offers.service.ts":
        'import { federateOffer } from "../../federation/offers/outbox.ts";\nexport const f = federateOffer;\n',
      "federation/offers/outbox.ts": "export const federateOffer = () => 1;\n",
      "server/a/one.ts": 'import { two } from "../b/two.ts";\nexport const one = () => two;\n',
      "server/b/two.ts": 'import { one } from "../a/one.ts";\nexport const two = () => one;\n',
      "server/c/three.ts": 'import { four } from "./four.ts";\nexport const three = () => four;\n',
      "server/c/four.ts": 'import { three } from "./three.ts";\nexport const four = () => three;\n',
    });
    made.push(root);
    const result = await cruise(root, "server", "federation");
    assert.equal(result.ok, false);
    assert.match(
      result.output,
      /server-imports-federation: server\/offers\/offers\.service\.ts → federation\/offers\/outbox\.ts/,
    );
    assert.match(result.output, /cycle-across-folders: server\/a\/one\.ts/);
    assert.doesNotMatch(result.output, /server\/c\//);
  });

  it("refuse server/ or federation/ importing plugins/ or app/, and let plugins import both", async () => {
    const root = tree({
      "server/offers/offer.page.ts":
        'import { slot } from "../../plugins/reviews/slots.ts";\nexport const page = slot;\n',
      "federation/offers/inbox.ts":
        'import { MODULES } from "../../app/modules.ts";\nexport const routes = MODULES;\n',
      "plugins/reviews/slots.ts":
        'import { helper } from "../../server/util.ts";\nimport { x } from "../../federation/x.ts";\nexport const slot = [helper, x];\n',
      "server/util.ts": "export const helper = 1;\n",
      "federation/x.ts": "export const x = 1;\n",
      "app/modules.ts": "export const MODULES = [];\n",
    });
    made.push(root);
    const result = await cruise(root, "server", "federation", "plugins", "app");
    assert.equal(result.ok, false);
    assert.match(
      result.output,
      /core-imports-plugins-or-app: server\/offers\/offer\.page\.ts → plugins\/reviews\/slots\.ts/,
    );
    assert.match(
      result.output,
      /core-imports-plugins-or-app: federation\/offers\/inbox\.ts → app\/modules\.ts/,
    );
    assert.doesNotMatch(result.output, /plugins\/reviews\/slots\.ts →/);
  });

  it("refuse federation/ writing a table it does not own, with Kysely or in SQL", () => {
    const root = tree({
      "federation/federation.tables.ts":
        "export interface FederationTables {\n  federation_outbox: { id: number };\n  federation_kv: { key: string };\n}\n",
      "federation/own.ts": [
        'export const a = (db: any) => db.insertInto("federation_outbox").values({}).execute();',
        "export const b = (db: any, sql: any) => sql`update federation_kv set value = 1`.execute(db);",
        "export const c = (db: any, sql: any) => sql`select 1 for update`.execute(db);",
        'export const d = (db: any) => db.insertInto("federation_kv").onConflict((oc: any) => oc.doUpdateSet({})).execute();',
      ].join("\n"),
      "federation/offers/booking.ts": [
        'export const a = (db: any) => db.insertInto("offer_registrations").values({}).execute();',
        'export const b = (db: any) => db.updateTable("offers as o").set({}).execute();',
        'export const c = (db: any) => db.deleteFrom("forum_posts").execute();',
        "export const d = (db: any, sql: any, id: string) => sql`delete from forum_bans where id = ${id}`.execute(db);",
        "export const e = (db: any, table: string) => db.updateTable(table).set({}).execute();",
        'export const f = (db: any, sql: any) => sql.raw("insert into notifications values (1)").execute(db);',
      ].join("\n"),
    });
    made.push(root);
    const found = checkFederationWrites(root).map((v) => `${v.file}:${v.line}`);
    assert.deepEqual(
      found,
      [1, 2, 3, 4, 5, 6].map((line) => `federation/offers/booking.ts:${line}`),
    );
  });
});
