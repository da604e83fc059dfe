// The inbox benchmark's activities: half Create(Event) from a followed CMCAS (an offer in the
// catalogue), half Create(Note) from a member to the instance's public group (a topic).
import type { FakePeer } from "../../test/support/fake-peer.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
type Json = Record<string, unknown>;

export interface Outgoing {
  /** The id of the offer (Event) or post (Note) it brings, as stored once handled. */
  objectId: string;
  kind: "event" | "note";
  peer: FakePeer;
  actor: string;
  body: Json;
}

export interface Sender {
  peer: FakePeer;
  cmcas: string;
  member: string;
}

/** A phase's activities (fresh ids), alternating kinds and peers; `group`: the group's URI. */
export const activities = (count: number, senders: Sender[], group: string): Outgoing[] =>
  Array.from({ length: count }, (_, i) => {
    const { peer, cmcas, member } = senders[i % senders.length]!;
    const id = crypto.randomUUID();
    if (Math.floor(i / senders.length) % 2 === 0) {
      const start = new Date(Date.now() + (7 + (i % 60)) * 86_400_000);
      const event: Json = {
        id: `${peer.url}/offers/${id}`,
        type: "Event",
        attributedTo: cmcas,
        name: `Sortie raquettes n° ${i}`,
        content: "<p>Départ du parking de la station.</p>",
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 5 * 3600_000).toISOString(),
        to: [PUBLIC],
        maximumAttendeeCapacity: 12,
        remainingAttendeeCapacity: 12,
        timezone: "Europe/Paris",
        category: "sport",
        location: {
          type: "Place",
          name: "Station de Chamrousse",
          address: { type: "PostalAddress", postalCode: "38410", addressLocality: "Chamrousse" },
        },
      };
      const body = {
        "@context": AS,
        id: `${event.id as string}#create`,
        type: "Create",
        actor: cmcas,
        to: [PUBLIC],
        object: event,
      };
      return { objectId: event.id as string, kind: "event", peer, actor: cmcas, body };
    }
    const post = `${peer.url}/notes/${id}`;
    const body = {
      "@context": AS,
      id: `${post}#create`,
      type: "Create",
      actor: member,
      to: [PUBLIC],
      cc: [group],
      object: {
        id: post,
        type: "Note",
        attributedTo: member,
        audience: group,
        to: [PUBLIC],
        cc: [group],
        content: `<p>Qui a une remorque à prêter samedi ? (${i})</p>`,
      },
    };
    return { objectId: post, kind: "note", peer, actor: member, body };
  });
