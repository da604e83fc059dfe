// Staff messages to the participants of an offer who came from other instances: a direct Note
// (addressed and mentioning each person, in reply to the offer's Event) from the CMCAS actor.
// Their instance turns it into the same notice its members get for local offers.
import { Create, Mention, Note, type Create as CreateActivity } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { notify } from "../../server/notifications/notifications.service.ts";
import { plainText } from "../../server/offers/rich-text.ts";
import { sanitizeRemoteHtml, textToHtml } from "../html.ts";
import type { InboxHandler } from "../inbox/scope.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { offerUri } from "./event.ts";

export async function messageRemoteParticipants(
  tx: Tx,
  publicUrl: URL,
  offer: { id: string; title: string },
  body: string,
  actorUrls: readonly string[],
): Promise<void> {
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  for (const url of new Set(actorUrls)) {
    const to = new URL(url);
    const activityId = newActivityId(publicUrl);
    await sendToActors(
      tx,
      CMCAS_ACTOR,
      [to],
      new Create({
        id: activityId,
        actor,
        to,
        object: new Note({
          id: new URL(`${activityId.href}#note`),
          attribution: actor,
          to,
          replyTarget: offerUri(publicUrl, offer.id),
          name: offer.title,
          content: textToHtml(body),
          tags: [new Mention({ href: to })],
          published: Temporal.Now.instant(),
        }),
      }),
    );
  }
}

/** On the member's instance: a direct Note from the publisher of an offer they registered for. */
export const onOfferMessage: InboxHandler<CreateActivity> = async (create, scope) => {
  const note = await create.getObject({ crossOrigin: "ignore" }).catch(() => null);
  if (!(note instanceof Note) || !note.replyTargetId) return false;
  const { app } = scope.deps;
  const eventUri = note.replyTargetId.href;
  const recipients = [...note.toIds].map((u) => scope.fed.parseUri(u));
  const userIds = recipients.flatMap((p) => (p?.type === "actor" ? [p.identifier] : []));
  if (userIds.length === 0) return false;
  const rows = await app.db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .innerJoin("federation_remote_actors as a", "a.id", "o.remote_actor_id")
    .select(["r.user_id", "o.id", "o.title"])
    .where("o.remote_uri", "=", eventUri)
    .where("a.uri", "=", scope.senderUri.href)
    .where("r.user_id", "in", userIds)
    .where("r.status", "<>", "cancelled")
    .execute();
  if (rows.length === 0) return false;
  const message = plainText(sanitizeRemoteHtml(note.content?.toString()));
  await app.transaction(async (tx) => {
    for (const row of rows)
      await notify(tx, app.config.publicUrl, {
        userId: row.user_id!,
        kind: "offers:message",
        data: { offer: row.title, message },
        link: `/offers/${row.id}`,
        email: "registrations",
      });
  });
  return true;
};
