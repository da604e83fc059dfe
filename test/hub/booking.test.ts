// Booking from the hub: "Réserver" asks which CMCAS the member belongs to (a form, remembered in
// a cookie), sends them to their own instance, where they sign in, land on the offer (fetched
// there, as their CMCAS does not follow the publisher) and book it; the publisher confirms.
import assert from "node:assert/strict";
import { stopNetwork, waitFor, type Network } from "../federation/harness.ts";
import { createMember } from "../support/accounts.ts";
import { browser, submit, unescapeHtml } from "../support/web.ts";
import { countsOf, makeOffer } from "../federation/offers-support.ts";
import { adminForm, joinAll, startHubNetwork } from "./support.ts";

describe("hub: booking from the national calendar", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startHubNetwork();
    await joinAll(net, ["a", "b"]);
    for (const peer of [net.a!, net.b!])
      await adminForm(peer, "/admin/network", "/admin/network/trust", { trust: "1" });
  });
  after(() => stopNetwork(net));

  it("asks once for the member's CMCAS and lands on the offer there, where it is booked", async () => {
    const { hub, a, b } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Visite de la centrale",
      capacity: 5,
    });
    const onHub = await waitFor("the offer on the hub", () =>
      hub!.instance.ctx.db
        .selectFrom("offers")
        .select("id")
        .where("remote_uri", "=", `${b!.url}/offers/${offer.id}`)
        .executeTakeFirst(),
    );

    const visitor = browser(hub!.url);
    const form = await visitor.get(`/hub/book/${onHub.id}`);
    assert.equal(form.status, 200);
    const text = unescapeHtml(form.text);
    assert.match(text, /<option value="[^"]+">CMCAS A<\/option>/);
    assert.match(text, /<option value="[^"]+">CMCAS B<\/option>/);
    const refused = await submit(visitor, `/hub/book/${onHub.id}`, `/hub/book/${onHub.id}`, {
      home: "127.0.0.1:1",
    });
    assert.equal(refused.status, 422);
    const chosen = await submit(visitor, `/hub/book/${onHub.id}`, `/hub/book/${onHub.id}`, {
      home: a!.host,
      remember: "1",
    });
    assert.equal(chosen.status, 303);
    const landing = chosen.headers.location!;
    assert.equal(
      landing,
      `${a!.url}/hub/offer?uri=${encodeURIComponent(`${b!.url}/offers/${offer.id}`)}`,
    );
    // Remembered: the next "Réserver" goes straight to the member's instance.
    const again = await visitor.get(`/hub/book/${onHub.id}`);
    assert.equal(again.status, 303);
    assert.equal(again.headers.location, landing);
    const change = await visitor.get(`/hub/book/${onHub.id}?change`);
    assert.equal(change.status, 200);

    // On A, not signed in: the sign-in page, then the offer.
    const member = await createMember(a!.instance);
    const onA = browser(a!.url);
    const path = landing.slice(a!.url.length);
    const first = await onA.get(path);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, "/login");
    const signedIn = await submit(onA, "/login", "/login", {
      email: member.email,
      password: member.password,
    });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.location, path);
    const landed = await onA.get(path);
    assert.equal(landed.status, 303);
    const offerPage = landed.headers.location!;
    assert.match(offerPage, /^\/offers\/[0-9a-f-]{36}$/);
    const page = await onA.get(offerPage);
    assert.equal(page.status, 200);
    assert.match(unescapeHtml(page.text), /Visite de la centrale/);

    const booked = await submit(onA, offerPage, `${offerPage}/register`, { self: "on" });
    assert.equal(booked.status, 303, booked.text);
    await waitFor("B to confirm the booking", async () => {
      const counts = await countsOf(b!, offer.id);
      return counts.confirmed === 1;
    });
    await waitFor("A to know it is confirmed", async () => {
      const counts = await countsOf(a!, offerPage.slice("/offers/".length));
      return counts.confirmed === 1;
    });
  });
});
