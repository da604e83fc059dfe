// Offers visible to the network are in the CMCAS outbox for signed requests of allowed
// instances only, so an instance that follows later backfills them like public ones (issue 16,
// cause 16).
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, startNetwork, stopNetwork, type Network } from "./harness.ts";
import { makeOffer } from "../offers/support.ts";
import { remoteCopy } from "./offers-support.ts";

const AS = "application/activity+json";

describe("federation: network offers in the CMCAS outbox", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("backfills an offer visible to the network, published before the follow", async () => {
    const { a, b } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Séjour entre CMCAS",
      visibility: "network",
    });
    // An unsigned reader does not see it in the outbox.
    const outbox = await supertest(b!.url).get("/users/cmcas/outbox").set("accept", AS);
    assert.equal(outbox.status, 200, outbox.text);
    const first = await supertest(b!.url)
      .get(new URL(outbox.body.first as string).pathname + new URL(outbox.body.first).search)
      .set("accept", AS);
    assert.ok(!first.text.includes(offer.id), "not served to anonymous readers");

    const res = await api(a!).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
    assert.equal(res.status, 201, res.text);
    const copy = await remoteCopy(a!, b!, offer.id);
    assert.equal(copy.title, "Séjour entre CMCAS");
  });
});
