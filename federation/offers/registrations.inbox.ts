// Registrations across instances, as the inbox sees them. On the offer's instance: Join books
// through the booking service (the same rules, under the same row lock, as for our members), which
// answers it; Leave cancels. On the member's instance: Accept, TentativeAccept and Reject of our
// Joins set their status.
import type { Join, Leave } from "@fedify/vocab";
import type { Activity } from "@fedify/vocab";
import { findRemoteActor } from "../actors/remote.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import type { Participant } from "../../server/offers/registrations.repo.ts";
import { cancelOwn, register } from "../../server/offers/registrations.service.ts";
import { applyRemoteAnswer, type RemoteAnswer } from "../../server/offers/remote-offers.service.ts";
import { route, type InboxInput } from "../inbox/route.ts";
import { plainTerms } from "./terms.ts";
import { localOfferId } from "./event.ts";

type Json = Record<string, unknown>;

const int = (v: unknown): number | null => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? n : null;
};

/** A JSON-LD list as compacted by a processor ({"@list": [...]}) or written plainly. */
const list = (v: unknown): unknown[] =>
  Array.isArray(v)
    ? v
    : typeof v === "object" && v !== null && Array.isArray((v as Json)["@list"])
      ? ((v as Json)["@list"] as unknown[])
      : [];

const raw = async (activity: Activity) => plainTerms((await activity.toJsonLd()) as Json);

async function participantOf(input: InboxInput): Promise<Participant & { kind: "remote" }> {
  const sender = await input.sender();
  // Without the member's actor there is no name to show nor inbox to answer: let Fedify retry.
  if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
  return { kind: "remote", actorUrl: sender.uri, displayName: sender.name, instance: sender.host };
}

const onJoin = route<Join>({
  name: "offers.join",
  activity: "Join",
  object: "Event",
  async handle(input) {
    const { app } = input.deps;
    const join = input.activity;
    const offerId = localOfferId(app.config.publicUrl, join.objectId);
    if (!offerId || !join.id) return false;
    const participant = await participantOf(input);
    const json = await raw(join);
    const count = Math.max(1, int(json.persons) ?? 1);
    const birthYears = list(json.birthYears).map(int);
    await app.transaction((tx) =>
      register(tx, bookingDeps(app), {
        offerId,
        participant,
        persons: { count, birthYears },
        joinActivityId: join.id!.href,
      }),
    );
    return true;
  },
});

const onLeave = route<Leave>({
  name: "offers.leave",
  activity: "Leave",
  object: "Event",
  async handle(input) {
    const { app } = input.deps;
    const offerId = localOfferId(app.config.publicUrl, input.activity.objectId);
    if (!offerId) return false;
    const participant = await participantOf(input);
    await app.transaction((tx) => cancelOwn(tx, bookingDeps(app), offerId, participant));
    return true;
  },
});

/** The publisher's answer to one of our Joins (the object: the Join, embedded or by its id). */
const onAnswer = (
  activity: "Accept" | "TentativeAccept" | "Reject",
  read: (json: Json, activity: Activity) => RemoteAnswer,
) =>
  route({
    name: `offers.join-${activity === "TentativeAccept" ? "waitlisted" : activity.toLowerCase()}`,
    activity,
    object: "Join",
    async handle(input) {
      const joinId = input.activity.objectId?.href;
      if (!joinId) return false;
      const { app } = input.deps;
      const publisher = await findRemoteActor(app.db, { uri: input.senderUri.href });
      if (!publisher) return false;
      const answer = read(await raw(input.activity), input.activity);
      return app.transaction((tx) =>
        applyRemoteAnswer(tx, bookingDeps(app), publisher.id, joinId, answer),
      );
    },
  });

export const registrationsInbox = [
  onJoin,
  onLeave,
  onAnswer("Accept", () => ({ status: "confirmed" })),
  onAnswer("TentativeAccept", (json) => ({ status: "waitlisted", position: int(json.position) })),
  onAnswer("Reject", (json, reject) => ({
    status: "rejected",
    reason: typeof json.reason === "string" ? json.reason : reject.content?.toString() || "refused",
  })),
];
