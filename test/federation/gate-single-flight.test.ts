// A burst of activities from an actor the receiver has never seen: the inbox gate fetches its key
// once (single flight), and the key, once verified, serves the next activities from memory.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cmcasSigner, createNote, inboxRequest } from "../support/inbox.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";

/** In front of B (its PUBLIC_URL): counts the fetches of B's CMCAS actor, slowed down a little
 * so that the burst's requests all arrive while the first fetch is still running. */
class CountingFront {
  fetches = 0;
  target = 0;
  readonly #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const isActor = req.method === "GET" && req.url?.startsWith("/users/cmcas");
      if (isActor) this.fetches++;
      setTimeout(() => this.#forward(req, res, Buffer.concat(chunks)), isActor ? 300 : 0);
    });
  });
  readonly #agent = new http.Agent({ keepAlive: false });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
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
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describe("inbox gate: one key fetch for a burst from an unknown actor", function () {
  this.timeout(120_000);
  const front = new CountingFront();
  let a: TestInstance;
  let b: TestInstance;

  before(async () => {
    const frontPort = await front.listen();
    const aPort = await freePort();
    const env = { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1" };
    // A web process only: the activities wait in the queue, so every fetch counted is the
    // inbox's (the gate's and Fedify's own verification), none a job's.
    a = await startTestInstance({
      port: aPort,
      env: { ...env, FEDERATION_ALLOWED_DOMAINS: `127.0.0.1:${frontPort}`, PROCESS_ROLE: "web" },
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

  it("eight concurrent activities fetch the actor's key once, and the next one none", async () => {
    const signer = await cmcasSigner(b);
    // Signed first, then sent together: the burst reaches the gate at once.
    const requests = await Promise.all(
      Array.from({ length: 8 }, async (_, i) =>
        inboxRequest(`${a.url}/inbox`, createNote(b.env.PUBLIC_URL!, `rafale ${i}`), signer),
      ),
    );
    const answers = await Promise.all(
      requests.map(async (request) => {
        const res = await fetch(request);
        return { status: res.status, text: await res.text() };
      }),
    );
    for (const answer of answers) assert.equal(answer.status, 202, answer.text);
    assert.equal(front.fetches, 1, "the key was fetched once for the eight activities");

    const before = front.fetches;
    const next = await fetch(
      await inboxRequest(`${a.url}/inbox`, createNote(b.env.PUBLIC_URL!, "encore"), signer),
    );
    assert.equal(next.status, 202, await next.text());
    assert.equal(front.fetches, before, "a verified key is not fetched again");
    // Fedify's answer goes out in one write with its length: not through a gzip stream.
    assert.equal(next.headers.get("content-encoding"), null);
    assert.ok(Number(next.headers.get("content-length")) > 0);
  });

  it("a verified key is kept in memory: neither a database read nor a fetch brings it back", async () => {
    // Its row and the cached actor document gone from the store: the gate and Fedify's own check
    // use the parsed key they kept (ADR 0165); before, both read the row, and the gate fetched
    // the key again.
    await a.ctx.db
      .deleteFrom("federation_kv")
      .where((eb) =>
        eb.or([
          eb("key", "like", "_fedify\u001fpublicKey\u001f%"),
          eb("key", "like", "_fedify\u001fremoteDocument\u001f%"),
        ]),
      )
      .execute();
    const before = front.fetches;
    const res = await fetch(
      await inboxRequest(
        `${a.url}/inbox`,
        createNote(b.env.PUBLIC_URL!, "en mémoire"),
        await cmcasSigner(b),
      ),
    );
    assert.equal(res.status, 202, await res.text());
    assert.equal(front.fetches, before, "the key came from memory");
  });
});
