// Another fediverse server, played on loopback: it serves the documents a test gives it (actors
// shaped as a given implementation publishes them, with a real key), signs and POSTs activities
// to an instance's inbox as that software would, and records what it receives, answering with the
// status the test chooses. Payload shapes come from the fixtures or the implementations' docs.
import "../../federation/temporal.ts";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signRequest } from "@fedify/fedify";
import { exportSpki } from "@fedify/vocab-runtime";
import { generateKeyPair } from "../../federation/keys.ts";

type Json = Record<string, unknown>;

export interface Received {
  method: string;
  path: string;
  accept: string | undefined;
  body: Json | undefined;
  status: number;
  headers: http.IncomingHttpHeaders;
}

export class FakePeer {
  readonly received: Received[] = [];
  readonly documents = new Map<string, Json>();
  /** Other files (pictures), with the type they are served as. */
  readonly files = new Map<string, { type: string; body: Buffer }>();
  /** The status its inboxes answer (per path), 202 by default. */
  inboxStatus: (path: string, body: Json | undefined, headers: http.IncomingHttpHeaders) => number =
    () => 202;
  #server!: http.Server;
  #keys!: CryptoKeyPair;
  url = "";
  host = "";

  static async start(): Promise<FakePeer> {
    const peer = new FakePeer();
    peer.#keys = await generateKeyPair("RSASSA-PKCS1-v1_5");
    peer.#server = http.createServer((req, res) => peer.#serve(req, res));
    await new Promise<void>((resolve) => peer.#server.listen(0, "127.0.0.1", resolve));
    const { port } = peer.#server.address() as AddressInfo;
    peer.host = `127.0.0.1:${port}`;
    peer.url = `http://${peer.host}`;
    return peer;
  }

  async publicKeyPem(): Promise<string> {
    return exportSpki(this.#keys.publicKey);
  }

  /** An actor document at `path`, with this peer's key; `context` as the software sends it. */
  async actor(
    path: string,
    fields: Json & { type: string; preferredUsername: string },
    context: unknown = "https://www.w3.org/ns/activitystreams",
  ): Promise<string> {
    const id = `${this.url}${path}`;
    this.documents.set(path, {
      "@context": context,
      id,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      publicKey: { id: `${id}#key`, owner: id, publicKeyPem: await this.publicKeyPem() },
      ...fields,
    });
    return id;
  }

  /** POSTs `activity` to `inbox`, signed with draft-cavage by the key of the actor `actorId`. */
  async post(inbox: string, activity: Json, actorId: string): Promise<Response> {
    return fetch(await this.sign(inbox, activity, actorId));
  }

  /** The POST `post` sends, signed but not sent (bench/inbox signs before it measures). */
  sign(inbox: string, activity: Json, actorId: string): Promise<Request> {
    const request = new Request(inbox, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify(activity),
    });
    return signRequest(request, this.#keys.privateKey, new URL(`${actorId}#key`), {
      spec: "draft-cavage-http-signatures-12",
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", this.url).pathname;
      const text = Buffer.concat(chunks).toString("utf8");
      let body: Json | undefined;
      try {
        body = text ? (JSON.parse(text) as Json) : undefined;
      } catch {
        body = undefined;
      }
      const record = (status: number) =>
        this.received.push({
          method: req.method ?? "",
          path,
          accept: req.headers.accept,
          body,
          status,
          headers: req.headers,
        });
      if (req.method === "POST") {
        const status = this.inboxStatus(path, body, req.headers);
        record(status);
        res.writeHead(status, { "content-type": "application/json" }).end("{}");
        return;
      }
      const file = this.files.get(path);
      if (file) {
        record(200);
        res.writeHead(200, { "content-type": file.type }).end(file.body);
        return;
      }
      const document = this.documents.get(path);
      record(document ? 200 : 404);
      if (!document) return void res.writeHead(404).end();
      res
        .writeHead(200, { "content-type": "application/activity+json" })
        .end(JSON.stringify(document));
    });
  }
}
