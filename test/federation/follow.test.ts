import assert from "node:assert/strict";
import supertest from "supertest";
import { api, drain, startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";

const AS = "application/activity+json";

describe("federation: following between instances", function () {
  this.timeout(120_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"], c: ["a"] });
  });
  after(() => stopNetwork(net));

  it("A follows B's CMCAS by handle: B accepts, and both sides agree", async () => {
    const { a, b } = net;
    const res = await api(a!).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.target.uri, `${b!.url}/users/cmcas`);
    const accepted = await waitFor("the Accept", async () => {
      const list = await api(a!).get("/follows?as=cmcas");
      return list.body.find((f: { state: string }) => f.state === "accepted");
    });
    assert.equal(accepted.target.handle, `@cmcas@${b!.host}`);

    // B lists A's CMCAS among its CMCAS's followers; A lists B's among its followings.
    const followers = await supertest(b!.url).get("/users/cmcas/followers").set("accept", AS);
    assert.equal(followers.body.totalItems, 1);
    const page = await supertest(b!.url)
      .get(new URL(followers.body.first).pathname + new URL(followers.body.first).search)
      .set("accept", AS);
    assert.deepEqual(page.body.orderedItems, [`${a!.url}/users/cmcas`]);
    const following = await supertest(a!.url).get("/users/cmcas/following").set("accept", AS);
    assert.equal(following.body.totalItems, 1);
    await drain(a!, b!);
  });
});
