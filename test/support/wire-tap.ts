// A recording proxy on loopback in front of each test instance: the instance's PUBLIC_URL is the
// proxy's address, so every request between instances (actor fetches, signed inbox POSTs) goes
// through it unchanged. It keeps the activities POSTed to inboxes, exactly as they were sent, so
// tests can look at what went on the wire rather than at what was stored.
import http from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

export interface Posted {
  /** Name of the instance whose inbox received it. */
  to: string;
  path: string;
  status: number;
  /** Whether the request carried an HTTP signature (draft-cavage or RFC 9421). */
  signed: boolean;
  /** An RFC 9421 signature's `alg` ("ed25519", "rsa-v1_5-sha256"); undefined for draft-cavage. */
  alg: string | undefined;
  body: Json;
}

const INBOX_PATH = /^\/(inbox|users\/[^/]+\/inbox)$/;

export class WireTap {
  readonly posted: Posted[] = [];
  readonly #servers: http.Server[] = [];
  // No keep-alive towards the instances: nothing outlives a request when the network stops.
  readonly #agent = new http.Agent({ keepAlive: false });

  /** Starts a proxy for the instance `name`; `target()` gives the port it will listen on. */
  async front(name: string, target: () => number): Promise<number> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const upstream = http.request(
          {
            host: "127.0.0.1",
            port: target(),
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent: this.#agent,
          },
          (answer) => {
            this.#record(name, req, body, answer.statusCode ?? 0);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on("error", (error) => {
          if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
          res.end(String(error));
        });
        upstream.end(body);
      });
    });
    this.#servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  #record(to: string, req: http.IncomingMessage, body: Buffer, status: number): void {
    const path = (req.url ?? "").split("?")[0]!;
    if (req.method !== "POST" || !INBOX_PATH.test(path)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return;
    const signed = Boolean(req.headers.signature || req.headers["signature-input"]);
    const alg = /;alg="([^"]+)"/.exec(String(req.headers["signature-input"] ?? ""))?.[1];
    this.posted.push({ to, path, status, signed, alg, body: parsed as Json });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    this.#agent.destroy();
  }
}
