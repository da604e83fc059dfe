import assert from "node:assert/strict";
import { loggedIn } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml } from "../support/web.ts";
import { api, member, startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";

describe("federation: policy administration and the follows API", function () {
  this.timeout(120_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("lists, adds, blocks and removes domains through the admin API", async () => {
    const { a, b } = net;
    const initial = await api(a!).get("/admin/federation/domains");
    assert.equal(initial.status, 200);
    assert.equal(initial.body.mode, "allowlist");
    assert.deepEqual(initial.body.domains, [
      { domain: b!.host, policy: "allow", source: "config" },
    ]);

    const added = await api(a!).post("/admin/federation/domains", {
      domain: "https://CMCAS-Lyon.example/",
      policy: "block",
    });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body, {
      domain: "cmcas-lyon.example",
      policy: "block",
      source: "admin",
    });
    const invalid = await api(a!).post("/admin/federation/domains", {
      domain: "pas un domaine",
      policy: "allow",
    });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.headers["content-type"], "application/problem+json; charset=utf-8");
    const badPolicy = await api(a!).post("/admin/federation/domains", {
      domain: "ok.example",
      policy: "maybe",
    });
    assert.equal(badPolicy.status, 400);

    const listed = await api(a!).get("/admin/federation/domains");
    assert.deepEqual(
      (listed.body.domains as { domain: string; policy: string }[]).map((d) => [
        d.domain,
        d.policy,
      ]),
      [
        [b!.host, "allow"],
        ["cmcas-lyon.example", "block"],
      ],
    );
    assert.equal(
      (await api(a!).delete("/admin/federation/domains", { domain: "cmcas-lyon.example" })).status,
      204,
    );
    assert.equal(
      (await api(a!).delete("/admin/federation/domains", { domain: "cmcas-lyon.example" })).status,
      404,
    );

    const someone = await member(a!, false);
    assert.equal((await api(a!, someone.token).get("/admin/federation/domains")).status, 403);
    assert.equal(
      (
        await api(a!, someone.token).post("/admin/federation/domains", {
          domain: "x.example",
          policy: "allow",
        })
      ).status,
      403,
    );
  });

  it("blocking an allowed instance closes the inbox to it at once", async () => {
    const { a, b } = net;
    const blocked = await api(a!).post("/admin/federation/domains", {
      domain: b!.host,
      policy: "block",
    });
    assert.equal(blocked.status, 200);
    try {
      // B can still read A's public actor, but its Follow is refused at A's inbox.
      const follow = await api(b!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
      assert.equal(follow.status, 201, follow.text);
      const failing = await waitFor("B's Follow to be refused", async () => {
        const hosts = (await api(b!).get("/admin/federation/deliveries")).body as {
          host: string;
          lastError: string | null;
        }[];
        return hosts.find((h) => h.host === a!.host && /403/.test(h.lastError ?? ""));
      });
      assert.ok(failing);
      // And A refuses to follow B.
      const out = await api(a!).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
      assert.equal(out.status, 403);
    } finally {
      await api(a!).post("/admin/federation/domains", { domain: b!.host, policy: "allow" });
    }
  });

  it("answers the follows API with clear errors", async () => {
    const { a, b } = net;
    const hidden = await member(a!, false);
    const visible = await member(a!, true);
    const cases: [string, object, number][] = [
      [visible.token, { target: "n'importe quoi" }, 400],
      [visible.token, { target: "@cmcas@not-allowed.example" }, 403],
      [visible.token, { target: `@personne@${b!.host}` }, 404],
      [visible.token, { target: `@cmcas@${a!.host}` }, 400],
      [visible.token, { target: `@cmcas@${b!.host}`, as: "cmcas" }, 403],
      [hidden.token, { target: `@cmcas@${b!.host}` }, 409],
    ];
    for (const [token, body, status] of cases) {
      const res = await api(a!, token).post("/follows", body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
    }
    const ok = await api(a!, visible.token).post("/follows", { target: `${b!.url}/users/cmcas` });
    assert.equal(ok.status, 201, ok.text);
    const mine = await api(a!, visible.token).get("/follows");
    assert.equal(mine.body.length, 1);
    assert.equal(mine.body[0].target.handle, `@cmcas@${b!.host}`);
    assert.equal((await api(a!, visible.token).delete(`/follows/${ok.body.id}`)).status, 204);
    assert.deepEqual((await api(a!, visible.token).get("/follows")).body, []);
  });

  it("lets an admin manage the allowlist and the CMCAS follows from the pages", async () => {
    const { a, b } = net;
    const agent = await loggedIn(a!.instance, a!.admin);
    const page = await agent.get("/admin/federation");
    assert.equal(page.status, 200);
    assert.ok(unescapeHtml(page.text).includes(b!.host));
    assert.ok(unescapeHtml(page.text).includes(`@cmcas@${a!.host}`));

    const invalid = await submit(agent, "/admin/federation", "/admin/federation/domains", {
      domain: "pas un domaine",
      policy: "allow",
    });
    assert.equal(invalid.status, 422);
    assert.match(invalid.text, /error-summary/);
    const saved = await submit(agent, "/admin/federation", "/admin/federation/domains", {
      domain: "cmcas-nice.example",
      policy: "allow",
    });
    assert.equal(saved.status, 303);
    const after = await agent.get("/admin/federation");
    assert.ok(after.text.includes("cmcas-nice.example"));
    const removed = await agent
      .post("/admin/federation/domains/delete")
      .type("form")
      .send({ domain: "cmcas-nice.example", _csrf: csrfFrom(after.text) });
    assert.equal(removed.status, 303);

    const followed = await submit(agent, "/admin/federation", "/admin/federation/follows", {
      target: `@cmcas@${b!.host}`,
    });
    assert.equal(followed.status, 303);
    const list = await agent.get("/admin/federation");
    assert.ok(unescapeHtml(list.text).includes(`@cmcas@${b!.host}`));

    const deliveries = await agent.get("/admin/federation/deliveries");
    assert.equal(deliveries.status, 200);
    assert.ok(deliveries.text.includes(b!.host));
    const someone = await member(a!, false);
    const forbidden = await (await loggedIn(a!.instance, someone)).get("/admin/federation");
    assert.equal(forbidden.status, 403);
  });
});
