import assert from "node:assert/strict";
import supertest from "supertest";
import { loggedIn } from "../support/accounts.ts";
import { submit } from "../support/web.ts";
import {
  api,
  deliveryOf,
  member,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "./harness.ts";

describe("federation: a deleted account is deleted everywhere it was known", function () {
  this.timeout(120_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("sends Delete for the actor to the instances that knew it, then answers 410 Tombstone", async () => {
    const { a, b } = net;
    const alice = await member(a!, true);
    const bob = await member(b!, true);
    const follow = await api(a!, alice.token).post("/follows", {
      target: `@${bob.username}@${b!.host}`,
    });
    assert.ok([200, 201, 202].includes(follow.status), follow.text);
    await waitFor("Bob to accept Alice", async () => {
      const list = (await api(a!, alice.token).get("/follows")).body as { state: string }[];
      return list.some((f) => f.state === "accepted");
    });
    const bobUri = `${b!.url}/users/${bob.user.id}`;
    const known = () =>
      a!.instance.ctx.db
        .selectFrom("federation_remote_actors")
        .select("id")
        .where("uri", "=", bobUri)
        .executeTakeFirst();
    assert.ok(await known(), "a knows Bob's actor");

    const agent = await loggedIn(b!.instance, bob);
    const deleted = await submit(agent, "/me/delete", "/me/delete", {
      password: bob.password,
      content: "anonymise",
    });
    assert.equal(deleted.status, 303);

    const gone = await supertest(b!.url)
      .get(`/users/${bob.user.id}`)
      .set("Accept", "application/activity+json");
    assert.equal(gone.status, 410);
    const tombstone = JSON.parse(gone.text) as { type: string; id: string };
    assert.equal(tombstone.type, "Tombstone");
    assert.equal(tombstone.id, bobUri);

    const sent = await waitFor("the Delete in b's outbox", () =>
      b!.instance.ctx.db
        .selectFrom("federation_outbox")
        .select(["activity_id", "activity"])
        .where("actor", "=", bob.user.id)
        .where("activity_type", "=", "Delete")
        .executeTakeFirst(),
    );
    assert.equal((sent.activity as { object?: string }).object, bobUri);
    const delivery = await waitFor("the Delete delivered to a", async () => {
      const row = await deliveryOf(b!, sent.activity_id, a!.host);
      return row?.status === "delivered" ? row : undefined;
    });
    assert.match(delivery.activity_type, /Delete$/);
    await waitFor("a to forget Bob", async () => !(await known()));
    const follows = (await api(a!, alice.token).get("/follows")).body as unknown[];
    assert.equal(follows.length, 0, "Alice's follow of Bob went with his actor");
  });
});
