// Capability discovery (FEP-844e): an actor's `generator` is an Application whose `implements`
// lists what its software supports. Maillage states that it verifies RFC 9421 signatures, with
// RSA and with Ed25519, and reads the same statement from the actors it stores: deliveries to a
// server that states Ed25519 are signed with it, a tenth of an RSA-2048 signature's cost
// (ADR 0176). Mitra, tootik, Streams and WordPress's plugin state it the same way.
import { rawDocument } from "./inbox/raw.ts";

export const RFC9421 = "https://datatracker.ietf.org/doc/html/rfc9421";
export const RFC9421_ED25519 = `${RFC9421}#name-eddsa-using-curve-edwards25`;

/** The term, as FEP-844e's context defines it, inlined: a context URL would be fetched by every
 * JSON-LD reader of our actors, and fail where it cannot be reached. */
export const IMPLEMENTS_CONTEXT = {
  implements: {
    "@id": "https://w3id.org/fep/844e#implements",
    "@type": "@id",
    "@container": "@set",
  },
};

/** Our actors' `generator` (compact form, with IMPLEMENTS_CONTEXT). */
export function generatorOf(software: string): Record<string, unknown> {
  return {
    type: "Application",
    name: software,
    implements: [
      { href: RFC9421, name: "RFC-9421: HTTP Message Signatures" },
      { href: RFC9421_ED25519, name: "RFC-9421 signatures using the Ed25519 algorithm" },
    ],
  };
}

type Json = Record<string, unknown>;
const AS = "https://www.w3.org/ns/activitystreams#";
const FEP = "https://w3id.org/fep/844e#implements";

const list = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

/** The capability ids an object lists, compact (`implements: [{href}]`, or plain ids) or
 * expanded (`…#implements: [{"@id"}]`, or a Link's `as:href`). */
function implemented(object: unknown): string[] {
  if (!object || typeof object !== "object") return [];
  const o = object as Json;
  return [...list(o.implements), ...list(o[FEP])].flatMap((item) => {
    if (typeof item === "string") return [item];
    if (!item || typeof item !== "object") return [];
    const link = item as Json;
    const href = list(link.href ?? link[`${AS}href`])[0] ?? link["@id"];
    const value =
      href && typeof href === "object" ? ((href as Json)["@id"] ?? (href as Json)["@value"]) : href;
    return typeof value === "string" ? [value] : [];
  });
}

/** Whether an actor (as Fedify parsed it, its document kept) states that its server verifies
 * RFC 9421 signatures made with Ed25519: in its `generator`, or itself an Application.
 * Undefined when its document was not kept (an actor embedded in an activity): not known. */
export function statesEd25519(actor: unknown): boolean | undefined {
  const doc = rawDocument(actor);
  if (!doc) return undefined;
  const generators = [...list(doc.generator), ...list(doc[`${AS}generator`])];
  return [doc, ...generators].some((g) => implemented(g).includes(RFC9421_ED25519));
}
