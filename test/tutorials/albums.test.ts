// Albums after an activity: only its participants add photos, once it has ended; they and staff
// see them all, others only the photos whose author agreed; removal by the author or by staff
// with a reason told to the author.
import assert from "node:assert/strict";
import supertest from "supertest";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { csrfFrom, submit, unescapeHtml, type Agent } from "../support/web.ts";
import { DAY, makeOffer } from "../offers/support.ts";
import { register } from "../../server/offers/registrations.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { photo } from "./support.ts";

describe(`tutorials: albums after an activity (${MODE})`, () => {
  let instance: TestInstance;
  let participant: Member;
  let agent: Agent;
  let outsider: Agent;
  let staff: Agent;
  let offerId: string;

  before(async () => {
    instance = await startTestInstance();
    const staffMember = await createMember(instance, "staff");
    staff = await loggedIn(instance, staffMember);
    participant = await createMember(instance, "member", "participant");
    agent = await loggedIn(instance, participant);
    outsider = await loggedIn(instance, await createMember(instance, "member", "dehors"));
    const offer = await makeOffer(instance, staffMember.user.id, { title: "Randonnée au lac" });
    offerId = offer.id;
    await instance.ctx.transaction((tx) =>
      register(tx, bookingDeps(instance.ctx), {
        offerId,
        participant: { kind: "local", userId: participant.user.id },
        persons: { count: 1 },
      }),
    );
  });
  after(() => instance.destroy());

  const add = async (who: Agent, alt: string, publicToo: boolean) => {
    const page = await who.get(`/offers/${offerId}`);
    const req = who
      .post(`/offers/${offerId}/album`)
      .field("_csrf", csrfFrom(page.text))
      .field("alt", alt)
      .field("caption", `Légende : ${alt}`);
    if (publicToo) req.field("public", "on");
    return req.attach("image", await photo(), { filename: "lac.jpg", contentType: "image/jpeg" });
  };

  it("opens once the activity has ended, to its participants only", async () => {
    assert.equal((await add(agent, "Trop tôt", true)).status, 422);
    await instance.ctx.db
      .updateTable("offers")
      .set({ starts_at: new Date(Date.now() - 2 * DAY), ends_at: new Date(Date.now() - DAY) })
      .where("id", "=", offerId)
      .execute();
    assert.equal((await add(outsider, "Intrus", true)).status, 403);
    assert.equal((await add(agent, "", true)).status, 422);
    assert.equal((await add(agent, "Le lac au lever du soleil", true)).status, 303);
    assert.equal((await add(agent, "Le groupe au sommet", false)).status, 303);
  });

  it("shows every photo to participants and staff, and only agreed ones to others", async () => {
    const photos = await instance.ctx.db
      .selectFrom("offer_album_photos")
      .select(["id", "alt", "public"])
      .where("offer_id", "=", offerId)
      .execute();
    const hidden = photos.find((p) => !p.public)!;
    for (const who of [agent, staff]) {
      const text = unescapeHtml((await who.get(`/offers/${offerId}`)).text);
      assert.match(text, /Le lac au lever du soleil/);
      assert.match(text, /Le groupe au sommet/);
      assert.equal((await who.get(`/offers/${offerId}/album/${hidden.id}/card`)).status, 200);
    }
    for (const who of [outsider, supertest(instance.url)]) {
      const text = unescapeHtml((await who.get(`/offers/${offerId}`)).text);
      assert.match(text, /Le lac au lever du soleil/);
      assert.doesNotMatch(text, /Le groupe au sommet/);
      assert.equal((await who.get(`/offers/${offerId}/album/${hidden.id}/card`)).status, 404);
    }
  });

  it("is cleared by the author, or by staff with a reason the author is told", async () => {
    const photos = await instance.ctx.db
      .selectFrom("offer_album_photos")
      .select(["id", "public"])
      .where("offer_id", "=", offerId)
      .execute();
    const [shown, hidden] = [photos.find((p) => p.public)!, photos.find((p) => !p.public)!];
    const page = `/offers/${offerId}`;
    assert.equal(
      (await submit(outsider, page, `${page}/album/${shown.id}/remove`, {})).status,
      403,
    );
    assert.equal((await submit(staff, page, `${page}/album/${shown.id}/remove`, {})).status, 422);
    assert.equal(
      (
        await submit(staff, page, `${page}/album/${shown.id}/remove`, {
          reason: "Visage d'un enfant",
        })
      ).status,
      303,
    );
    assert.equal((await submit(agent, page, `${page}/album/${hidden.id}/remove`, {})).status, 303);
    const text = unescapeHtml((await agent.get(page)).text);
    assert.doesNotMatch(text, /Le lac au lever du soleil|Le groupe au sommet/);
    const notes = await instance.ctx.db
      .selectFrom("notifications")
      .select("data")
      .where("user_id", "=", participant.user.id)
      .where("kind", "=", "tutorials:albumPhotoRemoved")
      .execute();
    assert.equal(notes.length, 1);
    assert.equal((notes[0]!.data as { reason: string }).reason, "Visage d'un enfant");
  });
});
