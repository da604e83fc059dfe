import assert from "node:assert/strict";
import http from "node:http";
import { signRequest } from "@fedify/fedify";
import supertest from "supertest";
import { ActorKeys } from "../../federation/keys.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { member, startNetwork, stopNetwork, type Network } from "./harness.ts";

const AS = "application/activity+json";

describe("federation: discovery and content negotiation", function () {
  this.timeout(120_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("answers WebFinger for the CMCAS, the instance actor and discoverable members only", async () => {
    const { a } = net;
    const web = supertest(a!.url);
    const cmcas = await web.get(`/.well-known/webfinger?resource=acct:cmcas@${a!.host}`);
    assert.equal(cmcas.status, 200);
    assert.equal(cmcas.body.subject, `acct:cmcas@${a!.host}`);
    const self = cmcas.body.links.find((l: { rel: string }) => l.rel === "self");
    assert.deepEqual(self, { rel: "self", href: `${a!.url}/users/cmcas`, type: AS });

    const instance = await web.get(`/.well-known/webfinger?resource=acct:instance@${a!.host}`);
    assert.equal(instance.status, 200);
    assert.equal(
      instance.body.links.find((l: { rel: string }) => l.rel === "self").href,
      `${a!.url}/actor`,
    );

    const visible = await member(a!, true);
    const hidden = await member(a!, false);
    const found = await web.get(
      `/.well-known/webfinger?resource=acct:${visible.username}@${a!.host}`,
    );
    assert.equal(found.status, 200);
    const missing = await web.get(
      `/.well-known/webfinger?resource=acct:${hidden.username}@${a!.host}`,
    );
    assert.equal(missing.status, 404);
    // Not listed: its actor is served only to the instances the member deals with (ADR 0087).
    const actor = await web.get(`/users/${hidden.user.id}`).set("accept", AS);
    assert.equal(actor.status, 401);
    assert.ok(!actor.text.includes(hidden.username));
  });

  it("serves NodeInfo 2.1, its discovery document (with FEP-2677) and host-meta", async () => {
    const { a } = net;
    const web = supertest(a!.url);
    const discovery = await web.get("/.well-known/nodeinfo");
    assert.equal(discovery.status, 200);
    const links = discovery.body.links as { rel: string; href: string }[];
    assert.ok(
      links.some(
        (l) =>
          l.rel === "http://nodeinfo.diaspora.software/ns/schema/2.1" &&
          l.href === `${a!.url}/nodeinfo/2.1`,
      ),
    );
    assert.ok(
      links.some(
        (l) =>
          l.rel === "https://www.w3.org/ns/activitystreams#Application" &&
          l.href === `${a!.url}/actor`,
      ),
    );
    const nodeinfo = await web.get("/nodeinfo/2.1");
    assert.equal(nodeinfo.status, 200);
    assert.equal(nodeinfo.body.version, "2.1");
    assert.equal(nodeinfo.body.software.name, "maillage");
    assert.deepEqual(nodeinfo.body.protocols, ["activitypub"]);
    assert.ok(nodeinfo.body.usage.users.total >= 1);

    const xrd = await web.get("/.well-known/host-meta");
    assert.equal(xrd.status, 200);
    assert.match(xrd.headers["content-type"]!, /application\/xrd\+xml/);
    assert.ok(
      xrd.text.includes(`template="${a!.url}/.well-known/webfinger?resource={uri}"`),
      xrd.text,
    );
    const jrd = await web.get("/.well-known/host-meta.json");
    assert.equal(jrd.body.links[0].template, `${a!.url}/.well-known/webfinger?resource={uri}`);
  });

  it("serves actors as ActivityStreams to servers and as pages to browsers", async () => {
    const { a } = net;
    const web = supertest(a!.url);
    const visible = await member(a!, true);
    for (const [path, type, name] of [
      ["/users/cmcas", "Organization", "CMCAS A"],
      ["/actor", "Application", "CMCAS A"],
      [`/users/${visible.user.id}`, "Person", visible.displayName],
    ] as const) {
      const json = await web.get(path).set("accept", AS);
      assert.equal(json.status, 200, path);
      assert.match(json.headers["content-type"]!, /application\/activity\+json/);
      const actor = JSON.parse(json.text) as Record<string, unknown>;
      assert.equal(actor.type, type);
      assert.equal(actor.id, `${a!.url}${path}`);
      assert.equal(actor.name, name);
      // RSA key for HTTP signatures; Ed25519 multikey for FEP-8b32 proofs.
      assert.equal((actor.publicKey as { id: string }).id, `${a!.url}${path}#main-key`);
      const methods = actor.assertionMethod as { type: string; publicKeyMultibase: string }[];
      assert.ok(
        methods.some((m) => m.publicKeyMultibase.startsWith("z6Mk")),
        JSON.stringify(methods),
      );

      const page = await web.get(path).set("accept", "text/html");
      assert.equal(page.status, 200, path);
      assert.match(page.headers["content-type"]!, /text\/html/);
      assert.ok(page.text.includes(`<h1>${name}</h1>`), path);
    }
  });

  it("generates one RSA-2048 and one Ed25519 key pair per actor, once", async () => {
    const { a } = net;
    const first = await a!.instance.federation.keys.stored("cmcas");
    // Another process (a fresh cache) reads the same keys instead of making new ones.
    const again = await new ActorKeys(a!.instance.ctx.db).stored("cmcas");
    assert.deepEqual(again, first);
    const rows = await a!.instance.ctx.db
      .selectFrom("federation_keys")
      .select(["algorithm", "public_jwk"])
      .where("actor", "=", "cmcas")
      .orderBy("algorithm")
      .execute();
    assert.deepEqual(rows.map((r) => r.algorithm).sort(), ["Ed25519", "RSASSA-PKCS1-v1_5"]);
    const rsa = rows.find((r) => r.algorithm === "RSASSA-PKCS1-v1_5")!;
    assert.equal(Buffer.from((rsa.public_jwk as { n: string }).n, "base64url").length * 8, 2048);
    assert.deepEqual(first[0]!.publicJwk, rsa.public_jwk);
  });
});

describe("federation: behind a TLS reverse proxy", function () {
  this.timeout(120_000);
  let net: Network;
  let proxied: TestInstance;

  before(async () => {
    net = await startNetwork({ b: [] });
    proxied = await startTestInstance({
      env: {
        PUBLIC_URL: "https://cmcas.example.test",
        FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
        FEDERATION_ALLOWED_DOMAINS: net.b!.host,
      },
    });
  });
  after(async () => {
    await proxied.destroy();
    await stopNetwork(net);
  });

  it("builds ids from PUBLIC_URL whatever Host and X-Forwarded-Proto say", async () => {
    const res = await supertest(proxied.url)
      .get("/users/cmcas")
      .set("accept", AS)
      .set("host", "internal:8080")
      .set("x-forwarded-proto", "http");
    assert.equal(res.status, 200);
    const actor = JSON.parse(res.text) as { id: string; inbox: string };
    assert.equal(actor.id, "https://cmcas.example.test/users/cmcas");
    assert.equal(actor.inbox, "https://cmcas.example.test/users/cmcas/inbox");
  });

  it("verifies signatures made for the public https URL", async () => {
    const { b } = net;
    const key = (await b!.instance.federation.keys.pairs("cmcas"))[0]!.privateKey;
    const actor = `${b!.url}/users/cmcas`;
    const body = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${b!.url}/activities/${crypto.randomUUID()}`,
      type: "Create",
      actor,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      object: {
        id: `${b!.url}/notes/${crypto.randomUUID()}`,
        type: "Note",
        attributedTo: actor,
        content: "via le proxy",
        to: ["https://www.w3.org/ns/activitystreams#Public"],
      },
    });
    for (const spec of ["rfc9421", "draft-cavage-http-signatures-12"] as const) {
      const signed = await signRequest(
        new Request("https://cmcas.example.test/inbox", {
          method: "POST",
          headers: { "content-type": AS },
          body,
        }),
        key,
        new URL(`${actor}#main-key`),
        { spec },
      );
      // What the proxy forwards: the same headers, to the instance's private address.
      const status = await new Promise<number>((resolve, reject) => {
        const headers = Object.fromEntries(signed.headers);
        const req = http.request(
          `${proxied.url}/inbox`,
          {
            method: "POST",
            headers: { ...headers, host: "cmcas.example.test", "x-forwarded-proto": "https" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      assert.equal(status, 202, spec);
    }
  });
});
