// The inbox gate reads the signing key with the cached (unsigned) loader first and signs its
// request again only when the key's host answers 401 or 403 (authorized fetch). A peer that is
// down, broken or silent costs one try — one timeout — not two.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { OUTGOING_LIMITS } from "../../federation/http/outgoing.ts";
import { cmcasSigner, createNote, inboxRequest } from "../support/inbox.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { drain } from "./harness.ts";

type Behaviour = "pass" | "503" | "hang" | "401-unsigned" | "403-unsigned";

/** In front of B (its PUBLIC_URL): counts actor fetches and answers them as told. */
class PeerFront {
  behaviour: Behaviour = "pass";
  fetches: { signed: boolean }[] = [];
  readonly #server: http.Server;
  readonly #agent = new http.Agent({ keepAlive: false });
  readonly #hanging = new Set<http.ServerResponse>();
  target = 0;

  constructor() {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.#answer(req, res, Buffer.concat(chunks)));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
    const signed = Boolean(req.headers.signature || req.headers["signature-input"]);
    if (req.method === "GET" && req.url?.startsWith("/users/cmcas")) {
      this.fetches.push({ signed });
      if (this.behaviour === "503") return void res.writeHead(503).end("down for maintenance");
      if (this.behaviour === "hang") return void this.#hanging.add(res);
      if (!signed && this.behaviour === "401-unsigned") return void res.writeHead(401).end();
      if (!signed && this.behaviour === "403-unsigned") return void res.writeHead(403).end();
    }
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: this.target,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.#agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    upstream.end(body);
  }

  async stop() {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describe("inbox gate: the key is fetched signed only when its host asks for it", function () {
  this.timeout(120_000);
  const front = new PeerFront();
  let a: TestInstance;
  let b: TestInstance;

  before(async () => {
    const frontPort = await front.listen();
    const aPort = await freePort();
    const env = { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1" };
    a = await startTestInstance({
      port: aPort,
      env: { ...env, FEDERATION_ALLOWED_DOMAINS: `127.0.0.1:${frontPort}` },
    });
    b = await startTestInstance({
      env: {
        ...env,
        PUBLIC_URL: `http://127.0.0.1:${frontPort}`,
        FEDERATION_ALLOWED_DOMAINS: `127.0.0.1:${aPort}`,
      },
    });
    front.target = b.port;
  });
  after(async () => {
    await front.stop();
    await Promise.all([a?.destroy(), b?.destroy()]);
  });

  async function postFromB(text: string) {
    const note = createNote(b.env.PUBLIC_URL!, text);
    // The previous post's processing may still fetch the actor: let it end before counting.
    await drain({ instance: a });
    // A key verified by the previous post is kept, in the database and in memory (ADR 0155,
    // 0165): forget it through the store, so each case fetches.
    for await (const { key } of a.federation.kv.list(["_fedify", "publicKey"]))
      await a.federation.kv.delete(key);
    front.fetches = [];
    const started = Date.now();
    const res = await fetch(await inboxRequest(`${a.url}/inbox`, note, await cmcasSigner(b)));
    return { status: res.status, text: await res.text(), ms: Date.now() - started };
  }

  // Failures first: nothing is in A's document cache yet.
  it("a peer answering 503 is asked once, and the POST is refused", async () => {
    front.behaviour = "503";
    const res = await postFromB("down");
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(front.fetches, [{ signed: false }]);
  });

  it("a silent peer costs one timeout, not two", async () => {
    front.behaviour = "hang";
    const res = await postFromB("silent");
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(front.fetches, [{ signed: false }]);
    assert.ok(res.ms >= OUTGOING_LIMITS.headersMs - 500, `answered after ${res.ms} ms`);
    assert.ok(res.ms < 2 * OUTGOING_LIMITS.headersMs, `answered after ${res.ms} ms`);
  });

  for (const status of [401, 403] as const)
    it(`a peer answering ${status} to unsigned fetches is asked again, signed`, async () => {
      front.behaviour = `${status}-unsigned`;
      const res = await postFromB(`authorized fetch ${status}`);
      assert.equal(res.status, 202, res.text);
      // The gate's two tries; the activity's processing may fetch the actor again after them.
      assert.deepEqual(front.fetches.slice(0, 2), [{ signed: false }, { signed: true }]);
    });
});
