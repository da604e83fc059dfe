// A public Create(Note) by the instance's CMCAS actor, as its followers receive one: what the
// fan-out tests and `npm run bench:fanout` publish.
import { Create, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../../federation/uris.ts";

export function cmcasNote(publicUrl: URL, text: string): Create {
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  return new Create({
    id: newActivityId(publicUrl),
    actor,
    to: PUBLIC_COLLECTION,
    object: new Note({
      id: new URL(`/notes/${crypto.randomUUID()}`, publicUrl),
      attribution: actor,
      content: `<p>${text}</p>`,
      to: PUBLIC_COLLECTION,
    }),
  });
}
