// Albums after an activity, across instances: a member of B who booked an offer of A adds a photo
// to its album from B; it reaches A as a Note in reply to the offer's Event, and A's album shows
// it (our copy of the picture, its alt text, caption and author). A keeps only the photos of
// participants of an ended offer; a participant marked absent adds nothing more; a photo its
// author removes on B leaves A's album. Staff removals go across too: removed by A's staff, a photo
// leaves B's album (its author told why); removed by B's staff, it leaves A's.
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
import { register } from "../../server/offers/registrations.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";

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

    // The activity is over, on both sides: once A's Update of the offer (its places taken, sent
    // after the booking) has reached B, or it would put B's copy's dates back.
    await drain(a!, b!);
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

  it("takes a photo out of both albums when staff on either side remove it", async () => {
    const { a, b } = net as Required<Network>;
    const staffA = await createMember(a!.instance, "staff");
    const offer = await makeOffer(a!.instance, staffA.user.id, { title: "Sortie en canoë" });
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
    // A's Update of the offer after the booking must not put B's copy's dates back (above).
    await drain(a!, b!);
    const past = {
      starts_at: new Date(Date.now() - 3 * HOUR),
      ends_at: new Date(Date.now() - HOUR),
    };
    await a!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", offer.id).execute();
    await b!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", copy.id).execute();
    const agent = await loggedIn(b!.instance, bea);
    for (const alt of ["Le canoë vert", "La rivière"]) {
      const page = await agent.get(`/offers/${copy.id}`);
      const added = await agent
        .post(`/offers/${copy.id}/album`)
        .field("_csrf", csrfFrom(page.text))
        .field("alt", alt)
        .attach("image", await photo(), { filename: "canoe.jpg", contentType: "image/jpeg" });
      assert.equal(added.status, 303, added.text);
    }
    const onB = () =>
      b!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select(["id", "alt", "removal_reason"])
        .where("offer_id", "=", copy.id)
        .where("removed_at", "is", null)
        .orderBy("alt")
        .execute();
    const onA = () =>
      a!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select(["id", "alt", "removal_reason", "removed_at"])
        .where("offer_id", "=", offer.id)
        .orderBy("alt")
        .execute();
    const kept = await waitFor("both photos on A", async () => {
      const rows = await onA();
      return rows.length === 2 ? rows : undefined;
    });
    const canoe = kept.find((p) => p.alt === "Le canoë vert")!;

    // A's staff remove the canoe with a reason: it leaves B's album, and Bea is told why.
    const staffAgent = await loggedIn(a!.instance, staffA);
    const pageA = await staffAgent.get(`/offers/${offer.id}`);
    const removedA = await staffAgent
      .post(`/offers/${offer.id}/album/${canoe.id}/remove`)
      .type("form")
      .send({ _csrf: csrfFrom(pageA.text), reason: "Une personne ne souhaite pas y figurer" });
    assert.equal(removedA.status, 303, removedA.text);
    await waitFor("the removal on B", async () => {
      const rows = await onB();
      return rows.length === 1 && rows[0]!.alt === "La rivière";
    });
    const told = await b!.instance.ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", bea.user.id)
      .where("kind", "=", "tutorials:albumPhotoRemoved")
      .execute();
    assert.equal(told.length, 1);
    assert.match(JSON.stringify(told[0]), /Une personne ne souhaite pas y figurer/);

    // B's staff remove the river (Bea's own photo, on B): it leaves A's album, with the reason.
    const staffB = await loggedIn(b!.instance, await createMember(b!.instance, "staff"));
    const [riverOnB] = await onB();
    const pageB = await staffB.get(`/offers/${copy.id}`);
    const removedB = await staffB
      .post(`/offers/${copy.id}/album/${riverOnB!.id}/remove`)
      .type("form")
      .send({ _csrf: csrfFrom(pageB.text), reason: "Photo floue, retirée à sa demande" });
    assert.equal(removedB.status, 303, removedB.text);
    const gone = await waitFor("the removal on A", async () => {
      const rows = await onA();
      return rows.every((p) => p.removed_at !== null) ? rows : undefined;
    });
    assert.deepEqual(gone.map((p) => [p.alt, p.removal_reason]).sort(), [
      ["La rivière", "Photo floue, retirée à sa demande"],
      ["Le canoë vert", "Une personne ne souhaite pas y figurer"],
    ]);
    await drain(a!, b!);
  });

  it("shows on B the whole album of A's offer, photos of A's members included", async () => {
    const { a, b } = net as Required<Network>;
    const staffA = await createMember(a!.instance, "staff");
    const offer = await makeOffer(a!.instance, staffA.user.id, { title: "Atelier poterie" });
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
    const ana = await createMember(a!.instance, "member", "ana");
    await a!.instance.ctx.transaction((tx) =>
      register(tx, bookingDeps(a!.instance.ctx), {
        offerId: offer.id,
        participant: { kind: "local", userId: ana.user.id },
        persons: { count: 1 },
      }),
    );
    // The Updates of the offer these bookings send must not put B's copy's dates back (above).
    await drain(a!, b!);
    const past = {
      starts_at: new Date(Date.now() - 3 * HOUR),
      ends_at: new Date(Date.now() - HOUR),
    };
    await a!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", offer.id).execute();
    await b!.instance.ctx.db.updateTable("offers").set(past).where("id", "=", copy.id).execute();

    // Ana adds a photo on A, Bea one on B.
    const anaAgent = await loggedIn(a!.instance, ana);
    const pageA = await anaAgent.get(`/offers/${offer.id}`);
    const fromA = await anaAgent
      .post(`/offers/${offer.id}/album`)
      .field("_csrf", csrfFrom(pageA.text))
      .field("alt", "Des bols sur le tour")
      .field("caption", "Mes premiers bols")
      .attach("image", await photo(), { filename: "bols.jpg", contentType: "image/jpeg" });
    assert.equal(fromA.status, 303, fromA.text);
    const beaAgent = await loggedIn(b!.instance, bea);
    const pageB = await beaAgent.get(`/offers/${copy.id}`);
    const fromB = await beaAgent
      .post(`/offers/${copy.id}/album`)
      .field("_csrf", csrfFrom(pageB.text))
      .field("alt", "Un vase bleu")
      .attach("image", await photo(), { filename: "vase.jpg", contentType: "image/jpeg" });
    assert.equal(fromB.status, 303, fromB.text);

    // B keeps Ana's photo (once), shown to Bea from B's copy with its caption and alt text.
    const shared = await waitFor("Ana's photo on B", () =>
      b!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select(["id", "remote_media", "remote_author_name"])
        .where("offer_id", "=", copy.id)
        .where("alt", "=", "Des bols sur le tour")
        .where("removed_at", "is", null)
        .executeTakeFirst(),
    );
    assert.equal(shared.remote_author_name, ana.user.displayName);
    await waitFor("B's copy of Ana's photo", async () => {
      const row = await b!.instance.ctx.db
        .selectFrom("federation_media")
        .select("state")
        .where("key", "=", shared.remote_media!.slice("/media/".length))
        .executeTakeFirst();
      return row?.state === "ready";
    });
    await drain(a!, b!);
    const rows = await b!.instance.ctx.db
      .selectFrom("offer_album_photos")
      .select("alt")
      .where("offer_id", "=", copy.id)
      .orderBy("alt")
      .execute();
    assert.deepEqual(
      rows.map((r) => r.alt),
      ["Des bols sur le tour", "Un vase bleu"],
    );
    const album = await beaAgent.get(`/offers/${copy.id}`);
    assert.match(
      album.text,
      new RegExp(`<img src="${shared.remote_media}" alt="Des bols sur le tour"`),
    );
    assert.match(album.text, /Mes premiers bols/);

    // A's staff remove it: it leaves B's album too.
    const staffAgent = await loggedIn(a!.instance, staffA);
    const kept = await a!.instance.ctx.db
      .selectFrom("offer_album_photos")
      .select("id")
      .where("offer_id", "=", offer.id)
      .where("alt", "=", "Des bols sur le tour")
      .executeTakeFirstOrThrow();
    const staffPage = await staffAgent.get(`/offers/${offer.id}`);
    const removed = await staffAgent
      .post(`/offers/${offer.id}/album/${kept.id}/remove`)
      .type("form")
      .send({ _csrf: csrfFrom(staffPage.text), reason: "Visage d'un enfant" });
    assert.equal(removed.status, 303, removed.text);
    await waitFor("the removal on B", async () => {
      const row = await b!.instance.ctx.db
        .selectFrom("offer_album_photos")
        .select("removed_at")
        .where("id", "=", shared.id)
        .executeTakeFirstOrThrow();
      return row.removed_at !== null;
    });
    await drain(a!, b!);
  });
});
