// The API side of the fuzz run: every operation of A's OpenAPI document, with a body built from
// its schema (then mutated), path and query parameters valid or not, and tokens of an admin, of
// a member, a revoked-looking one, or none.
import { createMember } from "../../test/support/accounts.ts";
import { tokenFor, type Peer } from "../../test/federation/harness.ts";
import type { Random } from "./mutations.ts";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; schema: Schema }[];
  body: Schema | undefined;
}

export interface ApiCase {
  method: string;
  /** The OpenAPI path (for the report). */
  path: string;
  /** The URL sent, parameters filled in. */
  url: string;
  token: string | undefined;
  /** A well-formed body for the operation, to mutate; undefined when it takes none. */
  body: unknown;
}

let counter = 0;

/** A value the schema accepts (the first enum value, the minimum, a future date…). */
export function sample(schema: Schema, origin: string): unknown {
  const choice = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (choice) return sample(choice, origin);
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type)
    ? (schema.type.find((t) => t !== "null") ?? "null")
    : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        out[name] = sample(property, origin);
      return out;
    }
    case "array":
      return schema.items ? [sample(schema.items, origin)] : [];
    case "integer":
    case "number":
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? 1000);
    case "boolean":
      return true;
    case "null":
      return null;
    default: {
      counter++;
      if (schema.format === "date-time") return "2031-06-01T10:00:00+02:00";
      if (schema.format === "date") return "2031-06-01";
      if (schema.format === "email") return `essai${counter}@exemple.fr`;
      if (schema.format === "uri") return `${origin}/page/${counter}`;
      if (schema.format === "uuid") return crypto.randomUUID();
      return `texte${counter}`.padEnd(schema.minLength ?? 0, "x");
    }
  }
}

export function wellFormedOffer(index: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      title: `Offre témoin ${index}`,
      category: "loisirs",
      startsAt: "2031-06-01T10:00:00+02:00",
      endsAt: "2031-06-01T12:00:00+02:00",
      capacity: 10,
      maxPersonsPerRegistration: 4,
      city: "Grenoble",
    }),
  );
}

const BAD_IDS = [
  "x",
  "00000000-0000-0000-0000-000000000000",
  "9".repeat(40),
  "1e309",
  "-1",
  "%2e%2e%2fetc",
  "%C3%28",
  "%FF",
  "a".repeat(3000),
  "%E2%80%AE",
];
const BAD_QUERY = ["", "-1", "1e309", "0000-01-01", "NaN", "[]", "%FF", "x".repeat(5000), "true"];

export async function apiCases(a: Peer) {
  const res = await fetch(`${a.url}/api/v1/openapi.json`);
  const doc = (await res.json()) as {
    servers: { url: string }[];
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  // Paths are relative to the server's URL (…/api/v1).
  const base = new URL(doc.servers[0]!.url).pathname.replace(/\/$/, "");
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, spec] of Object.entries(methods)) {
      // Deleting the accounts whose tokens the run uses would only turn the rest into 401s.
      if (method === "delete" && path === "/api/v1/me") continue;
      const body = (spec.requestBody as { content: Record<string, { schema: Schema }> } | undefined)
        ?.content["application/json"]?.schema;
      operations.push({
        method,
        path,
        parameters: (spec.parameters as Operation["parameters"] | undefined) ?? [],
        body,
      });
    }
  const member = await createMember(a.instance);
  const tokens = [a.admin.token, await tokenFor(a.instance, member), "mlg_revoked", undefined];
  const offer = await fetch(`${a.url}/api/v1/offers`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${a.admin.token}` },
    body: new Uint8Array(wellFormedOffer(0)),
  });
  const offerId = ((await offer.json()) as { id?: string }).id ?? crypto.randomUUID();
  const ids = [offerId, member.user.id, ...BAD_IDS];

  const pick = (r: Random): ApiCase => {
    const op = r.pick(operations);
    let url = `${base}${op.path}`;
    const query = new URLSearchParams();
    for (const param of op.parameters) {
      if (param.in === "path")
        url = url.replace(
          `{${param.name}}`,
          r.int(3) ? r.pick(ids) : encodeURIComponent(r.pick(ids)),
        );
      else if (param.in === "query" && r.int(2)) {
        const good = sample(param.schema, a.url);
        query.set(param.name, r.int(2) ? String(good) : r.pick(BAD_QUERY));
      }
    }
    const qs = query.toString();
    return {
      method: op.method,
      path: `${base}${op.path}`,
      url: qs ? `${url}?${qs}` : url,
      token: r.pick(tokens),
      body: op.body ? sample(op.body, a.url) : undefined,
    };
  };
  return {
    pick,
    count: operations.length,
    offerCreation: {
      method: "post",
      path: "/api/v1/offers",
      url: "/api/v1/offers",
      token: a.admin.token,
      body: undefined,
    } satisfies ApiCase,
  };
}
