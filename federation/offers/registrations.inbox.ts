// Registrations across instances, as the inbox sees them. On the offer's instance: Join books
// through the booking service (the same rules as for our members) and is answered; Leave cancels.
// On the member's instance: Accept, TentativeAccept and Reject of our Joins set their status.
import type { Accept, Join, Leave, Reject, TentativeAccept } from "@fedify/vocab";
import type { Activity } from "@fedify/vocab";
import { cancelOwn, register } from "../../server/offers/registrations.service.ts";
import type { Participant } from "../../server/offers/registrations.repo.ts";
import type { InboxHandler, InboxScope } from "../inbox/scope.ts";
import { plainTerms } from "./terms.ts";
import { federatedOffer, isFederated, localOfferId } from "./event.ts";
import { answerJoin, applyAnswer } from "./remote-booking.ts";

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

async function participantOf(scope: InboxScope): Promise<Participant> {
  const sender = await scope.sender();
  // Without the member's actor there is no name to show nor inbox to answer: let Fedify retry.
  if (!sender) throw new Error(`cannot fetch the actor ${scope.senderUri.href}`);
  return { kind: "remote", actorUrl: sender.uri, displayName: sender.name, instance: sender.host };
}

export const onJoin: InboxHandler<Join> = async (join, scope) => {
  const { app } = scope.deps;
  const publicUrl = app.config.publicUrl;
  const offerId = localOfferId(publicUrl, join.objectId);
  if (!offerId || !join.id) return false;
  const participant = await participantOf(scope);
  if (participant.kind !== "remote") return false;
  const json = await raw(join);
  const count = Math.max(1, int(json.persons) ?? 1);
  const birthYears = list(json.birthYears).map(int);
  const answer = { joinId: join.id.href, actorUrl: participant.actorUrl, offerId };
  await app.transaction(async (tx) => {
    const offer = await federatedOffer(tx.db, offerId);
    const outcome =
      offer && isFederated(offer)
        ? await register(
            tx,
            { publicUrl },
            {
              offerId,
              participant,
              persons: { count, birthYears },
            },
          )
        : ({ ok: false, error: "not_found" } as const);
    await answerJoin(tx, publicUrl, answer, outcome);
  });
  return true;
};

export const onLeave: InboxHandler<Leave> = async (leave, scope) => {
  const { app } = scope.deps;
  const publicUrl = app.config.publicUrl;
  const offerId = localOfferId(publicUrl, leave.objectId);
  if (!offerId) return false;
  const participant = await participantOf(scope);
  await app.transaction((tx) => cancelOwn(tx, { publicUrl }, offerId, participant));
  return true;
};

function answeredJoin(activity: Activity): string | undefined {
  return activity.objectId?.href;
}

export const onAcceptJoin: InboxHandler<Accept> = async (accept, scope) => {
  const joinId = answeredJoin(accept);
  if (!joinId) return false;
  return scope.deps.app.transaction((tx) =>
    applyAnswer(tx, scope.deps.app.config.publicUrl, scope.senderUri.href, joinId, {
      status: "confirmed",
    }),
  );
};

export const onTentativeAcceptJoin: InboxHandler<TentativeAccept> = async (accept, scope) => {
  const joinId = answeredJoin(accept);
  if (!joinId) return false;
  const position = int((await raw(accept)).position);
  return scope.deps.app.transaction((tx) =>
    applyAnswer(tx, scope.deps.app.config.publicUrl, scope.senderUri.href, joinId, {
      status: "waitlisted",
      position,
    }),
  );
};

export const onRejectJoin: InboxHandler<Reject> = async (reject, scope) => {
  const joinId = answeredJoin(reject);
  if (!joinId) return false;
  const json = await raw(reject);
  const reason =
    typeof json.reason === "string" ? json.reason : reject.content?.toString() || "refused";
  return scope.deps.app.transaction((tx) =>
    applyAnswer(tx, scope.deps.app.config.publicUrl, scope.senderUri.href, joinId, {
      status: "rejected",
      reason,
    }),
  );
};
