// Issue 16 item 18 (pins): a group's pinned topics are its `featured` collection, and a pin or
// unpin is announced as `Add`/`Remove` to it, as Lemmy and NodeBB publish them; a group followed
// elsewhere pins or unpins the topic there. Two instances on loopback.
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, startNetwork, stopNetwork, waitFor, type Network } from "../federation/harness.ts";
import { followGroupOfB, openTopicOnB } from "./support.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const AS = "application/activity+json";

describe("forums federation: pinned topics", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("a pin in B's group is in its featured collection and pins the topic on A; an unpin undoes both", async () => {
    const a = net.a!;
    const b = net.b!;
    const group = await followGroupOfB(a, b, a.admin.token, { name: "Vélo", slug: "velo" });
    const topic = await openTopicOnB(a, b, a.admin.token, group, {
      title: "Règles du groupe",
      content: "À lire avant de poster",
    });
    const pinnedOnA = () =>
      a.instance.ctx.db
        .selectFrom("forum_topics")
        .select("pinned_at")
        .where("id", "=", topic.onA.id as string)
        .executeTakeFirstOrThrow();
    assert.equal((await pinnedOnA()).pinned_at, null);

    // The group's actor names its featured collection.
    const actor = await supertest(b.url).get("/users/velo").set("accept", AS);
    assert.equal(actor.body.featured, `${b.url}/users/velo/featured`);
    const featured = async () =>
      (await supertest(b.url).get("/users/velo/featured").set("accept", AS)).body as Json;
    assert.deepEqual((await featured()).orderedItems ?? [], []);

    const pin = await api(b).post(`/topics/${topic.onB}/pin`, { reason: "À lire d'abord" });
    assert.ok(pin.status < 300, pin.text);
    const items = (await featured()).orderedItems as Json[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.id, `${b.url}/topics/${topic.onB}`);
    assert.equal(items[0]!.type, "Page");
    await waitFor("the pin on A", async () => (await pinnedOnA()).pinned_at !== null);
    // What went out: the group's Announce of an Add to its featured collection.
    const sent = await b.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("actor", "=", "velo")
      .where("activity_type", "=", "Announce")
      .execute();
    const add = sent
      .map((r) => (typeof r.activity === "string" ? JSON.parse(r.activity) : r.activity) as Json)
      .find((x) => x.object?.type === "Add")?.object as Json;
    assert.equal(add?.target, `${b.url}/users/velo/featured`);
    assert.equal(add?.object, `${b.url}/topics/${topic.onB}`);
    assert.equal(add?.summary, "À lire d'abord");

    const unpin = await api(b).post(`/topics/${topic.onB}/unpin`, { reason: "" });
    assert.ok(unpin.status < 300, unpin.text);
    assert.deepEqual((await featured()).orderedItems ?? [], []);
    await waitFor("the unpin on A", async () => (await pinnedOnA()).pinned_at === null);
  });
});
