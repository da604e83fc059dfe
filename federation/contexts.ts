// JSON-LD contexts the fediverse names in nearly every payload, served from memory. Fedify ships
// ActivityStreams, security, Mastodon's, Lemmy's and GoToSocial's; LitePub's (Pleroma, Akkoma,
// Mobilizon) and Mobilizon's namespace are added here, so that a payload naming them is read
// without fetching anything (a context host that is down made every such activity fail).
//
// The ActivityStreams context is also widened with the three security terms actors carry
// (`publicKey`, `publicKeyPem`, `owner`): forum software publishes actors whose only context is
// ActivityStreams, and the JSON-LD processing then turned their key into a blank-node property,
// dropped, so none of their signatures verified. The terms map to the security vocabulary's own
// IRIs, exactly as the security context defines them, so documents that do name it read the same.
import { preloadedContexts } from "@fedify/vocab-runtime";

const AS = "https://www.w3.org/ns/activitystreams";
const SEC = "https://w3id.org/security#";

export const LITEPUB = "https://litepub.social/litepub/context.jsonld";
export const MOBILIZON = "https://joinmobilizon.org/ns";

/** The term mappings LitePub's context document is known to define (its nested contexts are
 * ActivityStreams and security, both preloaded). */
const litepub = {
  "@context": [
    AS,
    "https://w3id.org/security/v1",
    {
      toot: "http://joinmastodon.org/ns#",
      ostatus: "http://ostatus.org#",
      schema: "http://schema.org#",
      litepub: "http://litepub.social/ns#",
      Emoji: "toot:Emoji",
      Hashtag: "as:Hashtag",
      PropertyValue: "schema:PropertyValue",
      value: "schema:value",
      sensitive: "as:sensitive",
      manuallyApprovesFollowers: "as:manuallyApprovesFollowers",
      atomUri: "ostatus:atomUri",
      conversation: { "@id": "ostatus:conversation", "@type": "@id" },
      directMessage: "litepub:directMessage",
      capabilities: "litepub:capabilities",
      oauthRegistrationEndpoint: { "@id": "litepub:oauthRegistrationEndpoint", "@type": "@id" },
    },
  ],
};

/** Mobilizon's event terms (it normally inlines them; some payloads name the namespace). */
const mobilizon = {
  "@context": {
    mz: "https://joinmobilizon.org/ns#",
    sc: "http://schema.org#",
    ical: "http://www.w3.org/2002/12/cal/ical#",
    joinMode: { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
    joinModeType: { "@id": "mz:joinModeType", "@type": "rdfs:Class" },
    maximumAttendeeCapacity: "sc:maximumAttendeeCapacity",
    remainingAttendeeCapacity: "sc:remainingAttendeeCapacity",
    participantCount: { "@id": "mz:participantCount", "@type": "sc:Integer" },
    isOnline: { "@id": "mz:isOnline", "@type": "sc:Boolean" },
    anonymousParticipationEnabled: { "@id": "mz:anonymousParticipationEnabled" },
    category: "sc:category",
    timezone: { "@id": "mz:timezone", "@type": "sc:Text" },
    address: { "@id": "sc:address", "@type": "sc:address" },
    PostalAddress: "sc:PostalAddress",
    addressCountry: "sc:addressCountry",
    addressLocality: "sc:addressLocality",
    addressRegion: "sc:addressRegion",
    postalCode: "sc:postalCode",
    streetAddress: "sc:streetAddress",
    status: { "@id": "ical:status", "@type": "ical:status" },
  },
};

function widenActivityStreams(): void {
  const document = preloadedContexts[AS] as { "@context": Record<string, unknown> } | undefined;
  if (!document || "publicKey" in document["@context"]) return;
  preloadedContexts[AS] = {
    ...document,
    "@context": {
      ...document["@context"],
      publicKey: { "@id": `${SEC}publicKey`, "@type": "@id" },
      publicKeyPem: `${SEC}publicKeyPem`,
      owner: { "@id": `${SEC}owner`, "@type": "@id" },
    },
  };
}

preloadedContexts[LITEPUB] ??= litepub;
preloadedContexts[MOBILIZON] ??= mobilizon;
widenActivityStreams();
