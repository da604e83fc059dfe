// Pages of offers across instances for the accessibility scan: the catalogue with another
// territory's offers and its filters, a remote offer's page with a pending request, and with a
// refusal, and the member's registrations.
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { readRemoteEvent } from "../../federation/offers/remote-offers.ts";
import { saveRemoteOffer } from "../../server/offers/remote-offers.service.ts";
import { DAY } from "../offers/support.ts";
import type { PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { db } = instance.ctx;
  const publicUrl = instance.ctx.config.publicUrl;
  const publisher = await saveRemoteActor(db, {
    uri: "https://cmcas-grenoble.example/users/cmcas",
    host: "cmcas-grenoble.example",
    type: "Organization",
    username: "cmcas",
    name: "CMCAS de Grenoble",
    summary: "",
    url: null,
    iconUrl: null,
    inbox: "https://cmcas-grenoble.example/users/cmcas/inbox",
    sharedInbox: null,
    outbox: null,
    followersUrl: null,
  });
  const start = new Date(Date.now() + 12 * DAY);
  const event = (id: string, name: string, extra: Record<string, unknown> = {}) =>
    readRemoteEvent(
      {
        id: `https://cmcas-grenoble.example/offers/${id}`,
        type: "Event",
        attributedTo: publisher.uri,
        name,
        content: "<p>Départ du parking de la station.</p>",
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 5 * 3600_000).toISOString(),
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        maximumAttendeeCapacity: 12,
        remainingAttendeeCapacity: 5,
        timezone: "Europe/Paris",
        category: "sport",
        location: {
          type: "Place",
          name: "Station de Chamrousse",
          address: { type: "PostalAddress", postalCode: "38410", addressLocality: "Chamrousse" },
        },
        ...extra,
      },
      publisher,
    )!;
  const [pendingId, refusedId] = await instance.ctx.transaction(async (tx) => [
    await saveRemoteOffer(
      tx,
      { publicUrl },
      publisher.id,
      event("1", "Raquettes au clair de lune"),
    ),
    await saveRemoteOffer(
      tx,
      { publicUrl },
      publisher.id,
      event("2", "Soirée jeux de société", { typicalAgeRange: "18-" }),
    ),
  ]);
  await db
    .insertInto("offer_registrations")
    .values([
      {
        offer_id: pendingId,
        user_id: users.member.user.id,
        persons: 2,
        status: "pending",
        join_activity_id: `${publicUrl.origin}/activities/scan-join-1`,
      },
      {
        offer_id: refusedId,
        user_id: users.member.user.id,
        persons: 1,
        status: "cancelled",
        cancelled_by: "offer",
        cancelled_at: new Date(),
        refusal: "too_young",
        join_activity_id: `${publicUrl.origin}/activities/scan-join-2`,
      },
    ])
    .execute();
  return [
    { path: "/offers?origin=remote", as: "anonymous" },
    { path: `/offers?territory=${publisher.host}`, as: "member" },
    { path: `/offers/${pendingId}`, as: "anonymous" },
    { path: `/offers/${pendingId}`, as: "member" },
    { path: `/offers/${refusedId}`, as: "member" },
    { path: "/offers/mine", as: "member" },
    { path: `/offers/calendar?month=${start.toISOString().slice(0, 7)}`, as: "member" },
  ];
};
