import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import pg from "pg";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { listMigrations } from "../../server/db/migrate.ts";
import { dropDatabase, freshDatabaseUrl } from "../support/databases.ts";
import { DATABASE_URL } from "../support/env.ts";
import { freePort } from "../support/instance.ts";
import { spawnMaillage, waitForHttp } from "../support/processes.ts";

describe("configuration", () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ PORT: "abc" }, "PORT", /^PORT: expected an integer from 0 to 65535, got "abc"$/],
    [
      { PUBLIC_URL: "not a url" },
      "PUBLIC_URL",
      /^PUBLIC_URL: expected a URL starting with http: or https:/,
    ],
    [{ PUBLIC_URL: "https://cmcas.example.fr/app" }, "PUBLIC_URL", /origin without path/],
    [
      { FEDERATION_MODE: "x" },
      "FEDERATION_MODE",
      /^FEDERATION_MODE: expected one of allowlist, open, got "x"$/,
    ],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /postgres:/],
    [{ REDIS_URL: "http://x" }, "REDIS_URL", /redis:/],
    [
      { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "maybe" },
      "FEDERATION_ALLOW_PRIVATE_ADDRESSES",
      /1 or 0/,
    ],
    [
      { FEDERATION_ALLOWED_DOMAINS: "ok.example, not a host" },
      "FEDERATION_ALLOWED_DOMAINS",
      /host\[:port\]/,
    ],
    [{ ADMIN_EMAIL: "admin@exemple.fr" }, "ADMIN_PASSWORD", /set together/],
    [{ ADMIN_EMAIL: "admin@exemple.fr", ADMIN_PASSWORD: "short" }, "ADMIN_PASSWORD", /at least 10/],
    [{ HUB: "yes please" }, "HUB", /1 or 0/],
    [{ OIDC_ISSUER: "https://sso.ccas.example" }, "OIDC_CLIENT_ID", /set with OIDC_ISSUER/],
    [{ OIDC_ISSUER: "ftp://sso.ccas.example" }, "OIDC_ISSUER", /a URL/],
    [
      { OIDC_ISSUER: "https://sso.ccas.example", OIDC_CLIENT_ID: "maillage" },
      "OIDC_CLIENT_SECRET",
      /set with OIDC_ISSUER/,
    ],
  ];
  for (const [env, variable, message] of cases) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === variable &&
          message.test(error.message),
      );
    });
  }

  it("has working defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl.href, "http://localhost:3000/");
    assert.equal(config.federation.mode, "allowlist");
    assert.equal(config.databaseUrl, undefined);
    assert.ok(config.dataDir.endsWith("data"));
  });

  it("stops the boot with a one-line message naming the variable", async function () {
    this.timeout(30_000);
    const run = spawnMaillage("start", { PORT: "abc", DATA_DIR: os.tmpdir() });
    const exit = await run.exited;
    assert.equal(exit.code, 1);
    assert.equal(
      run.output(),
      'Configuration error: PORT: expected an integer from 0 to 65535, got "abc"\n',
    );
  });
});

describe("migrations", function () {
  this.timeout(120_000);

  it("two processes migrating at once apply each migration exactly once", async () => {
    const expected = (await listMigrations()).length;
    if (DATABASE_URL) {
      const url = (await freshDatabaseUrl())!;
      try {
        const runs = [
          spawnMaillage("migrate", { DATABASE_URL: url }),
          spawnMaillage("migrate", { DATABASE_URL: url }),
        ];
        const exits = await Promise.all(runs.map((r) => r.exited));
        assert.deepEqual(
          exits.map((e) => e.code),
          [0, 0],
          runs.map((r) => r.output()).join("\n"),
        );
        const outputs = runs.map((r) => r.output());
        assert.equal(outputs.filter((o) => o.startsWith("Applied")).length, 1, outputs.join("\n"));
        assert.equal(outputs.filter((o) => o.includes("up to date")).length, 1, outputs.join("\n"));
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const rows = await client.query("select version from schema_migrations order by version");
        await client.end();
        assert.equal(rows.rowCount, expected);
      } finally {
        await dropDatabase(url);
      }
    } else {
      // Embedded: PGlite's folder belongs to one process; the second is refused, clearly.
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-mig-"));
      try {
        const runs = [
          spawnMaillage("migrate", { DATA_DIR: dataDir }),
          spawnMaillage("migrate", { DATA_DIR: dataDir }),
        ];
        const exits = await Promise.all(runs.map((r) => r.exited));
        const outputs = runs.map((r) => r.output());
        const ok = exits.filter((e) => e.code === 0).length;
        assert.ok(ok >= 1, outputs.join("\n"));
        for (let i = 0; i < 2; i++) {
          if (exits[i]!.code !== 0)
            assert.match(outputs[i]!, /already used by another Maillage process/);
        }
        const again = spawnMaillage("migrate", { DATA_DIR: dataDir });
        assert.equal((await again.exited).code, 0);
        assert.match(again.output(), /up to date/);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });
});

describe("graceful shutdown", function () {
  this.timeout(120_000);
  it("finishes an in-flight request after SIGTERM, then exits 0", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-term-"));
    const databaseUrl = await freshDatabaseUrl();
    const port = await freePort();
    const run = spawnMaillage("start", {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const body = "email=personne%40exemple.fr&password=essai";
      const socket = net.connect(port, "127.0.0.1");
      await new Promise((r) => socket.once("connect", r));
      let response = "";
      socket.on("data", (chunk) => (response += chunk.toString()));
      const closed = new Promise((r) => socket.once("close", r));
      // Headers and half the body, then the operator stops the service.
      socket.write(
        `POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      run.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(run.child.exitCode, null, "still running while a request is in flight");
      socket.write(body.slice(10));
      await closed;
      assert.match(response, /^HTTP\/1\.1 \d{3}/);
      const exit = await run.exited;
      assert.equal(exit.code, 0, run.output());
    } finally {
      run.child.kill("SIGKILL");
      if (databaseUrl) await dropDatabase(databaseUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
