// The inbox benchmark's baseline: the least an inbox must do with a signed activity, in the same
// process and on the same database as the instance under test. It reads the body, checks that it
// is JSON, verifies the HTTP signature with Fedify's own verifier (the key fetched once per key id,
// single-flight, then kept in memory), stores the raw JSON in one insert and answers 202. No
// domain policy, no queue, no handling: what the instance does beyond this is its own cost.
import "../../federation/temporal.ts";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyRequest, type KeyCache } from "@fedify/fedify";
import type { CryptographicKey, Multikey } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import { singleFlight } from "../../federation/http/key-cache.ts";

export interface BareInbox {
  url: string;
  stored: number;
  close(): Promise<void>;
}

/** A table of the benchmark's own, dropped by the instance's destruction with its database. */
export async function createBareTable(db: Db): Promise<void> {
  await sql`create table bench_inbox_raw (id bigserial primary key, received_at timestamptz not null default now(), body jsonb not null)`.execute(
    db,
  );
}

/** `port` 0: any free one. In a node:cluster worker, every worker shares the primary's port. */
export async function startBareInbox(db: Db, port = 0): Promise<BareInbox> {
  const documentLoader = singleFlight(getDocumentLoader({ allowPrivateAddress: true }));
  const keys = new Map<string, CryptographicKey | Multikey | null>();
  const keyCache: KeyCache = {
    get: (keyId) => Promise.resolve(keys.get(keyId.href) ?? undefined),
    set: (keyId, key) => {
      if (key) keys.set(keyId.href, key);
      return Promise.resolve();
    },
  };
  const state = { stored: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        try {
          JSON.parse(body.toString("utf8"));
        } catch {
          return res.writeHead(400).end();
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers))
          if (typeof value === "string") headers.set(name, value);
        const request = new Request(`http://${req.headers.host}${req.url}`, {
          method: "POST",
          headers,
          body: new Uint8Array(body),
        });
        const key = await verifyRequest(request, {
          documentLoader,
          contextLoader: documentLoader,
          keyCache,
        }).catch(() => null);
        if (!key) return res.writeHead(401).end();
        await sql`insert into bench_inbox_raw (body) values (${body.toString("utf8")}::jsonb)`.execute(
          db,
        );
        state.stored++;
        res.writeHead(202).end();
      })().catch(() => res.writeHead(500).end());
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`,
    get stored() {
      return state.stored;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
