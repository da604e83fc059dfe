// The hub's network on four instances over loopback HTTP: three CMCAS ask to join from their
// admin page (a signed Join), the hub admin accepts them, the hub serves their list with an
// integrity proof; instances that trust the list allow its members (an admin's own block wins),
// stop federating with an instance the hub removed, and keep the last good list when the hub is
// down.
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, stopNetwork, waitFor, type Network } from "../federation/harness.ts";
import { unescapeHtml } from "../support/web.ts";
import { loggedIn } from "../support/accounts.ts";
import { readNetworkList } from "../../federation/hub/link.ts";
import { adminForm, allows, joinAll, startHubNetwork } from "./support.ts";

describe("hub: network membership and the trusted list", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startHubNetwork();
  });
  after(() => stopNetwork(net));

  it("records the join requests as pending, signed by each instance actor", async () => {
    const { hub, a } = net;
    await adminForm(a!, "/admin/network", "/admin/network/join", { hubUrl: hub!.url });
    const row = await waitFor("the hub to record A's request", () =>
      hub!.instance.ctx.db
        .selectFrom("hub_members")
        .selectAll()
        .where("host", "=", a!.host)
        .executeTakeFirst(),
    );
    assert.equal(row.state, "pending");
    assert.equal(row.actor_uri, `${a!.url}/actor`);
    assert.equal(row.name, "CMCAS A");
    // Asking to join allowed the hub on A (in allowlist mode) on the network's behalf.
    assert.equal(await allows(a!, hub!.host), true);
    // Not accepted yet: the list is empty.
    const list = await supertest(hub!.url).get("/hub/network");
    assert.equal(list.status, 200);
    assert.equal(JSON.parse(list.text).totalItems, 0);
  });

  it("publishes the accepted members as a dated collection with the hub's proof", async () => {
    const { hub, a, b, c } = net;
    await joinAll(net, ["a", "b", "c"]);
    const res = await supertest(hub!.url).get("/hub/network");
    assert.match(res.headers["content-type"]!, /activity\+json/);
    const doc = JSON.parse(res.text) as Record<string, unknown>;
    assert.equal(doc.type, "OrderedCollection");
    assert.equal(doc.attributedTo, `${hub!.url}/actor`);
    assert.ok(!Number.isNaN(Date.parse(String(doc.updated))), "the list is dated");
    assert.deepEqual(
      new Set(doc.orderedItems as string[]),
      new Set([a, b, c].map((p) => `${p!.url}/actor`)),
    );
    const proof = doc.proof as Record<string, unknown>;
    assert.equal(proof.cryptosuite, "eddsa-jcs-2022");
    assert.equal(proof.verificationMethod, `${hub!.url}/actor#multikey-2`);
    // A list altered on the way (one more member) is refused; the hub's own passes.
    const read = (doc: unknown) =>
      a!.instance.federation.withOutgoing(() =>
        readNetworkList(a!.instance.federation, hub!.url, doc),
      );
    assert.equal((await read(doc)).hosts.length, 3);
    const forged = {
      ...doc,
      orderedItems: [...(doc.orderedItems as string[]), "http://127.0.0.1:1/actor"],
    };
    await assert.rejects(read(forged), /proof could not be verified/);
    const page = await (await loggedIn(hub!.instance, hub!.admin)).get("/admin/hub");
    assert.equal(page.status, 200);
    assert.equal((unescapeHtml(page.text).match(/Acceptée/g) ?? []).length, 3);
  });

  it("keeps the allowlist of instances that trust the list in step with the hub", async () => {
    const { hub, a, b, c } = net;
    assert.equal(await allows(a!, b!.host), false, "A allows nobody at first");
    // A's admin blocks C: their own rule wins over the list.
    await adminForm(a!, "/admin/federation", "/admin/federation/domains", {
      domain: c!.host,
      policy: "block",
    });
    for (const peer of [a!, b!])
      await adminForm(peer, "/admin/network", "/admin/network/trust", { trust: "1" });
    assert.equal(await allows(a!, b!.host), true);
    assert.equal(await allows(b!, a!.host), true);
    assert.equal(await allows(b!, c!.host), true);
    assert.equal(await allows(a!, c!.host), false, "A's block wins");
    // C does not trust the list: nothing changed there.
    assert.equal(await allows(c!, a!.host), false);

    // The network federates: A follows B's CMCAS, which B accepts.
    const followed = await api(a!).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
    assert.equal(followed.status, 201, followed.text);
    await waitFor("B to accept A's follow", async () =>
      ((await api(a!).get("/follows?as=cmcas")).body as { state: string }[]).some(
        (f) => f.state === "accepted",
      ),
    );

    // The hub removes B; A reads the list again and stops federating with B.
    await adminForm(hub!, "/admin/hub", `/admin/hub/members/${b!.host}/remove`);
    await adminForm(a!, "/admin/network", "/admin/network/refresh");
    assert.equal(await allows(a!, b!.host), false);
    const followAgain = await api(a!).post("/follows", {
      target: `${b!.url}/users/cmcas`,
      as: "cmcas",
    });
    assert.equal(followAgain.status, 403, followAgain.text);
    const rules = await a!.instance.federation.policy.list();
    assert.deepEqual(
      rules.map((r) => [r.domain, r.policy, r.source]).sort(),
      [
        [c!.host, "block", "admin"],
        [hub!.host, "allow", "hub"],
      ].sort(),
    );
    // An admin's allow of a domain the list drops stays.
    await adminForm(b!, "/admin/federation", "/admin/federation/domains", {
      domain: c!.host,
      policy: "allow",
    });
    await adminForm(b!, "/admin/network", "/admin/network/refresh");
    assert.equal(await allows(b!, c!.host), true);
  });

  it("keeps the last good list, with its age, while the hub is down", async () => {
    const { hub, a } = net;
    const before = await a!.instance.ctx.db
      .selectFrom("hub_link")
      .selectAll()
      .executeTakeFirstOrThrow();
    await hub!.instance.stop();
    await adminForm(a!, "/admin/network", "/admin/network/refresh");
    const after = await a!.instance.ctx.db
      .selectFrom("hub_link")
      .selectAll()
      .executeTakeFirstOrThrow();
    assert.ok(after.last_error, "the failure is recorded");
    assert.equal(after.list_json, before.list_json);
    assert.deepEqual(after.list_fetched_at, before.list_fetched_at);
    assert.equal(await allows(a!, hub!.host), true, "the last good list stays in force");
    const page = await (await loggedIn(a!.instance, a!.admin)).get("/admin/network");
    const text = unescapeHtml(page.text);
    assert.match(text, /2 instances, reçue il y a 0 h/);
    assert.match(text, /Dernier échec de lecture/);
    await hub!.restart();
  });
});
