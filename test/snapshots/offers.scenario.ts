// The offers part of the wire snapshot scenario: A's CMCAS follows B's; B publishes an offer of
// one place with age rules; members of A book it (confirmed, waiting list, refused for their
// age), leave, are promoted, get a message and are removed by B's staff; B cancels and deletes
// the offer. Each step waits for what it sends before the next one starts, so every document
// describes the same state on every run.
import assert from "node:assert/strict";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { messageParticipants } from "../../server/offers/notices.service.ts";
import { removeByStaff } from "../../server/offers/registrations.service.ts";
import { api, waitFor, type Peer } from "../federation/harness.ts";
import { makeOffer, myRegistration, remoteCopy } from "../federation/offers-support.ts";
import { account, shape, type Capture, type Json } from "./capture.ts";

const eventWith = (status: string, remaining: number) => (body: Json) =>
  shape("Update", "Event")(body) &&
  body.object["ical:status"] === status &&
  body.object.remainingAttendeeCapacity === remaining;

export async function offersOnTheWire(
  a: Peer,
  b: Peer,
  capture: Capture,
  labels: Map<string, string>,
): Promise<void> {
  let since = capture.mark();
  const followed = await api(a).post("/follows", { target: `@cmcas@${b.host}`, as: "cmcas" });
  assert.equal(followed.status, 201, followed.text);
  await capture.sent("sent/follow", since, b, shape("Follow"));
  await capture.sent("sent/accept-follow", since, a, shape("Accept", "Follow"));
  await waitFor("A to record B's Accept", async () =>
    ((await api(a).get("/follows?as=cmcas")).body as { state: string }[]).some(
      (f) => f.state === "accepted",
    ),
  );

  since = capture.mark();
  const offer = await makeOffer(b.instance, b.admin.user.id, {
    title: "Randonnée au Vercors",
    capacity: 1,
    minAge: 18,
    latitude: 45.1,
    longitude: 5.5,
  });
  labels.set(offer.id, "offer");
  await capture.sent("sent/create-event", since, a, shape("Create", "Event"));
  await capture.served("served/event", b, `/offers/${offer.id}`);
  const copy = await remoteCopy(a, b, offer.id);

  const book = async (who: { token: string }, birthYear: number, status: string) => {
    const res = await api(a, who.token).post(`/offers/${copy.id}/registrations`, {
      persons: 1,
      birthYear,
    });
    assert.equal(res.status, 202, res.text);
    await waitFor(`A's registration ${status}`, async () => {
      const mine = await myRegistration(a, who.token, copy.id);
      return mine?.status === status;
    });
  };
  const [alice, carol, dan] = [
    await account(a, "alice", "Alice Martin"),
    await account(a, "carol", "Carole Dubois"),
    await account(a, "dan", "Daniel Petit"),
  ];
  for (const m of [alice, carol, dan]) labels.set(m.user.id, m.username);

  since = capture.mark();
  await book(alice, 1990, "confirmed");
  await capture.sent("sent/join", since, b, shape("Join"));
  await capture.sent("sent/accept-join", since, a, shape("Accept", "Join"));
  await capture.sent("sent/update-event-full", since, a, eventWith("CONFIRMED", 0));

  since = capture.mark();
  await book(carol, 1990, "waitlisted");
  await capture.sent("sent/tentative-accept-join", since, a, shape("TentativeAccept", "Join"));

  since = capture.mark();
  await book(dan, 2015, "rejected");
  await capture.sent("sent/reject-join", since, a, shape("Reject", "Join"));

  // Alice leaves: Carol, first on the waiting list, gets her place.
  since = capture.mark();
  const left = await api(a, alice.token).delete(`/offers/${copy.id}/registrations/me`);
  assert.equal(left.status, 204, left.text);
  await capture.sent("sent/leave", since, b, shape("Leave"));
  await capture.sent("sent/accept-promotion", since, a, shape("Accept", "Join"));
  await waitFor("Carol promoted on A", async () => {
    const mine = await myRegistration(a, carol.token, copy.id);
    return mine?.status === "confirmed";
  });

  const deps = bookingDeps(b.instance.ctx);
  since = capture.mark();
  const told = await b.instance.ctx.transaction((tx) =>
    messageParticipants(tx, deps, {
      offerId: offer.id,
      senderId: b.admin.user.id,
      body: "Rendez-vous à 8 h au parking du col.",
      includeWaitlist: false,
    }),
  );
  assert.equal(told, 1);
  await capture.sent("sent/create-note-message", since, a, shape("Create", "Note"));

  const carolOnB = await b.instance.ctx.db
    .selectFrom("offer_registrations")
    .select("id")
    .where("offer_id", "=", offer.id)
    .where("status", "=", "confirmed")
    .executeTakeFirstOrThrow();
  since = capture.mark();
  const removed = await b.instance.ctx.transaction((tx) =>
    removeByStaff(tx, deps, offer.id, carolOnB.id),
  );
  assert.ok(removed.ok);
  await capture.sent("sent/reject-removed-by-staff", since, a, shape("Reject", "Join"));
  await capture.sent("sent/update-event-places-again", since, a, eventWith("CONFIRMED", 1));

  since = capture.mark();
  const cancelled = await api(b).patch(`/offers/${offer.id}`, {
    status: "cancelled",
    cancellationReason: "Météo",
  });
  assert.equal(cancelled.status, 200, cancelled.text);
  await capture.sent("sent/update-event-cancelled", since, a, eventWith("CANCELLED", 1));

  since = capture.mark();
  const deleted = await api(b).delete(`/offers/${offer.id}`);
  assert.equal(deleted.status, 204, deleted.text);
  await capture.sent("sent/delete-tombstone", since, a, shape("Delete", "Tombstone"));
  await capture.served("served/tombstone", b, `/offers/${offer.id}`);

  // The instance actor refuses every Follow.
  since = capture.mark();
  const refused = await api(a).post("/follows", { target: `${b.url}/actor`, as: "cmcas" });
  assert.equal(refused.status, 201, refused.text);
  await capture.sent("sent/reject-follow", since, a, shape("Reject", "Follow"));

  // A's CMCAS stops following B's.
  const follows = (await api(a).get("/follows?as=cmcas")).body as Json[];
  const accepted = follows.find((f) => f.state === "accepted" && f.target.type === "Organization")!;
  since = capture.mark();
  const unfollowed = await api(a).delete(`/follows/${accepted.id}?as=cmcas`);
  assert.equal(unfollowed.status, 204, unfollowed.text);
  await capture.sent("sent/undo-follow", since, b, shape("Undo", "Follow"));
}
