// Albums after an activity, across instances: a member of B who booked an offer of A adds a photo
// to its album from B; it reaches A as a Note in reply to the offer's Event, and A's album shows
// it (our copy of the picture, its alt text, caption and author). A keeps only the photos of
// participants of an ended offer; a participant marked absent adds nothing more; a photo its
// author removes on B leaves A's album.
import assert from "node:assert/strict";
import supertest from "supertest";
import { mediaKey } from "../../federation/media/media.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { csrfFrom, type Agent } from "../support/web.ts";
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

describe(`federation: albums of an offer across instances (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("brings the photo a remote participant adds on B into the album on A", async () => {
    const { a, b } = net as Required<Network>;
    await followCmcas(b!, a!);
    const staff = await createMember(a!.instance, "staff");
    const offer = await makeOffer(a!.instance, staff.user.id, { title: "Randonnée au lac" });
    const copy = await remoteCopy(b!, a!, offer.id);

    const bea = await memberOf(b!, true);
    const booked = await api(b!, bea.token).post(`/offers/${copy.id}/registrations`, {
      persons: 1,
    });
    assert.equal(booked.status, 202, booked.text);
    await waitFor("A's answer on B", async () => {
      const mine = await myRegistration(b!, bea.token, copy.id);
      return mine?.status === "confirmed";
    });

    // The activity is over, on both sides.
    const past = {
      starts_at: new Date(Date.now() - 3 * HOUR),
      ends_at: new Date(Date.now() - HOUR),
    };
    await a!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", offer.id).execute();
    await b!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", copy.id).execute();

    const agent = await loggedIn(b!.instance, bea);
    const add = async (who: Agent, alt: string) => {
      const page = await who.get(`/offers/${copy.id}`);
      assert.equal(page.status, 200);
      return who
        .post(`/offers/${copy.id}/album`)
        .field("_csrf", csrfFrom(page.text))
        .field("alt", alt)
        .field("caption", `Au bord du lac : ${alt}`)
        .field("public", "on")
        .attach("image", await photo(), { filename: "lac.jpg", contentType: "image/jpeg" });
    };
    const added = await add(agent, "Le groupe devant le lac");
    assert.equal(added.status, 303, added.text);
    const onB = await b!.instance.ctx.db
      .selectFrom("offer_album_photos")
      .select("id")
      .where("offer_id", "=", copy.id)
      .executeTakeFirstOrThrow();

    const albumOnA = a!.instance.ctx.db
      .selectFrom("offer_album_photos")
      .selectAll()
      .where("offer_id", "=", offer.id)
      .where("removed_at", "is", null);
    const kept = await waitFor("the photo on A", async () => albumOnA.executeTakeFirst());
    const pictureUrl = `${b!.url}/offers/album/${onB.id}/photo`;
    const media = `/media/${mediaKey(pictureUrl, "picture")}`;
    assert.equal(kept.alt, "Le groupe devant le lac");
    assert.equal(kept.caption, "Au bord du lac : Le groupe devant le lac");
    assert.equal(kept.public, true);
    assert.equal(kept.remote_media, media);
    assert.equal(kept.remote_actor_url, `${b!.url}/users/${bea.user.id}`);
    assert.equal(kept.author_id, null);

    // A copies the picture from B, and its offer page shows it to everyone (its author agreed).
    await waitFor("A's copy", async () => {
      const row = await a!.instance.ctx.db
        .selectFrom("federation_media")
        .select("state")
        .where("key", "=", media.slice("/media/".length))
        .executeTakeFirst();
      return row?.state === "ready";
    });
    assert.equal((await supertest(a!.url).get(media)).status, 200);
    const page = await supertest(a!.url).get(`/offers/${offer.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`<img src="${media}" alt="Le groupe devant le lac"`));
    assert.match(page.text, /Au bord du lac : Le groupe devant le lac/);

    // Marked absent on A: a later photo is not kept there.
    await a!.instance.ctx.db
      .updateTable("offer_registrations")
      .set({ attended: false })
      .where("offer_id", "=", offer.id)
      .where("actor_url", "=", kept.remote_actor_url)
      .execute();
    assert.equal((await add(agent, "Encore le lac")).status, 303);
    await drain(b!, a!);
    const after = await albumOnA.execute();
    assert.deepEqual(
      after.map((p) => p.alt),
      ["Le groupe devant le lac"],
    );
    const sent = await b!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Create")
      .execute();
    assert.equal(
      sent.filter((r) => JSON.stringify(r.activity).includes("/offers/album/")).length,
      2,
    );

    // Bea takes her first photo back on B: A's album loses it.
    const page2 = await agent.get(`/offers/${copy.id}`);
    const removed = await agent
      .post(`/offers/${copy.id}/album/${onB.id}/remove`)
      .type("form")
      .send({ _csrf: csrfFrom(page2.text) });
    assert.equal(removed.status, 303, removed.text);
    await waitFor("the removal on A", async () =>
      (await albumOnA.execute()).length === 0 ? true : undefined,
    );
    await drain(a!, b!);
  });
});
