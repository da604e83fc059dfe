// A photo a remote participant takes back leaves every album that showed it: C's member adds a
// photo to A's offer's album, A shares it with B (another participant's instance), then the
// author removes it on C; A removes it and tells B, whose copy of the album loses it too.
import assert from "node:assert/strict";
import { MODE } from "../support/env.ts";
import { csrfFrom } from "../support/web.ts";
import { loggedIn, createMember } from "../support/accounts.ts";
import {
  api,
  drain,
  followCmcas,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "../federation/harness.ts";
import { makeOffer, memberOf, myRegistration, remoteCopy } from "../federation/offers-support.ts";
import { photo } from "../tutorials/support.ts";

const HOUR = 3600_000;

describe(`federation: a photo taken back leaves every album (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b", "c"], b: ["a"], c: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("removes on B the photo C's member took back from A's offer's album", async () => {
    const { a, b, c } = net as Required<Network>;
    await followCmcas(b!, a!);
    await followCmcas(c!, a!);
    const staff = await createMember(a!.instance, "staff");
    const offer = await makeOffer(a!.instance, staff.user.id, { title: "Sortie kayak" });
    const copyB = await remoteCopy(b!, a!, offer.id);
    const copyC = await remoteCopy(c!, a!, offer.id);
    const bea = await memberOf(b!, true);
    const cyd = await memberOf(c!, true);
    for (const [peer, who, copy] of [
      [b!, bea, copyB],
      [c!, cyd, copyC],
    ] as const) {
      const booked = await api(peer, who.token).post(`/offers/${copy.id}/registrations`, {
        persons: 1,
      });
      assert.equal(booked.status, 202, booked.text);
      await waitFor("A's answer", async () => {
        const mine = await myRegistration(peer, who.token, copy.id);
        return mine?.status === "confirmed";
      });
    }
    const past = {
      starts_at: new Date(Date.now() - 3 * HOUR),
      ends_at: new Date(Date.now() - HOUR),
    };
    await a!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", offer.id).execute();
    for (const [peer, copy] of [
      [b!, copyB],
      [c!, copyC],
    ] as const)
      await peer.instance.ctx.db
        .updateTable("offers")
        .set(past)
        .where("id", "=", copy.id)
        .execute();

    // Cyd adds a photo on C; A keeps it and shares it with B.
    const agent = await loggedIn(c!.instance, cyd);
    const page = await agent.get(`/offers/${copyC.id}`);
    const added = await agent
      .post(`/offers/${copyC.id}/album`)
      .field("_csrf", csrfFrom(page.text))
      .field("alt", "Deux kayaks sur la rivière")
      .attach("image", await photo(), { filename: "kayak.jpg", contentType: "image/jpeg" });
    assert.equal(added.status, 303, added.text);
    const onC = await c!.instance.ctx.db
      .selectFrom("offer_album_photos")
      .select("id")
      .where("offer_id", "=", copyC.id)
      .executeTakeFirstOrThrow();
    const onB = await waitFor("Cyd's photo on B", () =>
      b!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select("id")
        .where("offer_id", "=", copyB.id)
        .where("alt", "=", "Deux kayaks sur la rivière")
        .where("removed_at", "is", null)
        .executeTakeFirst(),
    );

    // Cyd takes it back on C: gone on A, then on B.
    const again = await agent.get(`/offers/${copyC.id}`);
    const removed = await agent
      .post(`/offers/${copyC.id}/album/${onC.id}/remove`)
      .type("form")
      .send({ _csrf: csrfFrom(again.text) });
    assert.equal(removed.status, 303, removed.text);
    await waitFor("the removal on A", async () => {
      const left = await a!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select("id")
        .where("offer_id", "=", offer.id)
        .where("removed_at", "is", null)
        .execute();
      return left.length === 0 ? true : undefined;
    });
    await waitFor("the removal on B", async () => {
      const row = await b!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select("removed_at")
        .where("id", "=", onB.id)
        .executeTakeFirstOrThrow();
      return row.removed_at !== null ? true : undefined;
    });
    const albumB = await (await loggedIn(b!.instance, bea)).get(`/offers/${copyB.id}`);
    assert.doesNotMatch(albumB.text, /Deux kayaks sur la rivière/);
    await drain(a!, b!, c!);
  });
});
