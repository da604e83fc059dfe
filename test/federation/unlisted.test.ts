// A member who did not choose to be visible to other CMCAS books another instance's offer and
// follows a group elsewhere all the same: their actor signs and is fetched by the instances they
// deal with, and no one else finds it (ADR 0087).
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, signedGet, startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";
import { makeOffer, memberOf, myRegistration, remoteCopy } from "./offers-support.ts";

const AS = "application/activity+json";

describe("federation: members who are not listed", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b", "c"], b: ["a"], c: ["a"] });
    const { a, b } = net;
    const res = await api(a!).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
    assert.equal(res.status, 201, res.text);
    await waitFor("B to accept A's follow", async () =>
      ((await api(a!).get("/follows?as=cmcas")).body as { state: string }[]).some(
        (f) => f.state === "accepted",
      ),
    );
  });
  after(() => stopNetwork(net));

  it("books B's offer and follows B's group without being listed; only B reads their actor", async () => {
    const { a, b, c } = net;
    const hidden = await memberOf(a!, false);
    const actorUrl = `${a!.url}/users/${hidden.user.id}`;
    const web = supertest(a!.url);

    // Nobody finds them: no WebFinger (by handle or by actor URL), no actor to unsigned requests,
    // nor to an allowed instance they have nothing to do with.
    const byHandle = await web
      .get("/.well-known/webfinger")
      .query({ resource: `acct:${hidden.username}@${a!.host}` });
    assert.equal(byHandle.status, 404);
    const byUrl = await web.get("/.well-known/webfinger").query({ resource: actorUrl });
    assert.equal(byUrl.status, 404);
    assert.equal((await web.get(`/users/${hidden.user.id}`).set("accept", AS)).status, 401);
    assert.equal(await signedGet(b!, actorUrl), undefined);

    // Booking B's offer: B checks the Join against their actor and confirms.
    const offer = await makeOffer(b!.instance, b!.admin.user.id, { title: "Canoë sur l'Ardèche" });
    const copy = await remoteCopy(a!, b!, offer.id);
    const booked = await api(a!, hidden.token).post(`/offers/${copy.id}/registrations`, {
      persons: 1,
    });
    assert.equal(booked.status, 202, booked.text);
    await waitFor("B to confirm the booking", async () => {
      const mine = await myRegistration(a!, hidden.token, copy.id);
      return mine?.status === "confirmed";
    });

    // B, which they deal with, reads their actor, told it is not discoverable; C still cannot.
    const seenByB = await signedGet(b!, actorUrl);
    assert.equal(seenByB?.type, "Person");
    assert.equal(seenByB?.discoverable, false);
    assert.equal(seenByB?.manuallyApprovesFollowers, true);
    assert.equal(await signedGet(c!, actorUrl), undefined);
    assert.equal(byHandle.status, 404);

    // Following a group of B needs no listing either.
    const group = await api(b!).post("/groups", {
      name: "Pagaie",
      slug: "pagaie",
      visibility: "public",
    });
    assert.equal(group.status, 201, group.text);
    const followed = await api(a!, hidden.token).post("/groups/follow", {
      target: `@pagaie@${b!.host}`,
    });
    assert.equal(followed.status, 201, followed.text);
    await waitFor("B's group to accept the member", async () => {
      const row = await b!.instance.ctx.db
        .selectFrom("federation_follows")
        .select("state")
        .where("local_actor", "=", "pagaie")
        .where("direction", "=", "incoming")
        .executeTakeFirst();
      return row?.state === "accepted";
    });

    // Being followed, or following people, is what being listed is for.
    const follows = await api(a!, hidden.token).post("/follows", { target: `@cmcas@${b!.host}` });
    assert.equal(follows.status, 409, follows.text);
  });
});
