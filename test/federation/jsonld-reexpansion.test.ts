// Embedded values parsed without expanding them again (ADR 0175): every copy made instead of an
// expansion must equal what the JSON-LD processor gives for the same input, and a parsed payload
// must read the same with and without the shortcut. Checked on the payloads of other software in
// ../shared/fixtures and on the activities of `npm run bench:inbox`.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Object as ASObject } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import jsonld from "@fedify/vocab-runtime/jsonld";
import "../../federation/contexts.ts";
import "../../federation/activity-parse.ts";
import { expandedCopy, realExpand } from "../../federation/jsonld-reexpansion.ts";
import { fixturesDir } from "../support/fixtures.ts";

type Expand = (input: unknown, options?: Record<string, unknown>) => Promise<unknown[]>;
const processor = jsonld as unknown as { expand: Expand };
const AS = "https://www.w3.org/ns/activitystreams";

/** JSON with its keys sorted: expansion orders keys its own way, which means nothing. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

const loaders = {
  contextLoader: getDocumentLoader(),
  // Nothing is fetched: every payload here is read as it is.
  documentLoader: (url: string) => Promise.reject(new Error(`no fetch in this test: ${url}`)),
};

/** A Create(Note) to a group and a Create(Event) with its place, as the benchmark sends them. */
const benchActivities = [
  {
    "@context": AS,
    id: "https://autre.example/notes/1#create",
    type: "Create",
    actor: "https://autre.example/users/lea",
    to: [`${AS}#Public`],
    cc: ["https://ici.example/groups/jardin"],
    object: {
      id: "https://autre.example/notes/1",
      type: "Note",
      attributedTo: "https://autre.example/users/lea",
      name: "Qui a une remorque ?",
      content: "<p>Pour le <strong>jardin</strong> partagé, samedi.</p>",
      audience: "https://ici.example/groups/jardin",
      tag: [{ type: "Mention", href: "https://ici.example/users/sam", name: "@sam@ici.example" }],
      published: "2026-12-07T10:00:00Z",
    },
  },
  {
    "@context": [AS, { "@language": "fr" }],
    id: "https://cmcas.example/offers/7#create",
    type: "Create",
    actor: "https://cmcas.example/users/cmcas",
    to: [`${AS}#Public`],
    object: {
      id: "https://cmcas.example/offers/7",
      type: "Event",
      name: "Randonnée au lac",
      content: "<p>Départ 9 h.</p>",
      startTime: "2027-01-10T09:00:00+01:00",
      location: { type: "Place", name: "Lac de Vassivière", latitude: 45.8, longitude: 1.87 },
      attachment: [
        { type: "Document", mediaType: "image/jpeg", url: "https://cmcas.example/a.jpg" },
      ],
    },
  },
];

function payloads(): [string, unknown][] {
  const list: [string, unknown][] = benchActivities.map((a) => [a.id, a]);
  for (const sub of ["lemmy", "mobilizon"]) {
    const dir = fixturesDir(sub);
    if (!dir) continue;
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json")))
      list.push([`${sub}/${name}`, JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"))]);
  }
  return list;
}

/** The payload's reading, expanded again by the processor itself (comparable across parses). */
async function reading(json: unknown): Promise<unknown> {
  const object = await ASObject.fromJsonLd(json, loaders);
  return canonical(await realExpand(await object.toJsonLd({ ...loaders, format: "expand" })));
}

describe("federation: embedded values are not expanded twice", () => {
  const shortcut = processor.expand;
  afterEach(() => {
    processor.expand = shortcut;
  });

  it("copies only what the JSON-LD processor would give back, for every payload", async () => {
    const copies: { input: unknown; options?: Record<string, unknown>; copy: unknown[] }[] = [];
    processor.expand = (input, options) => {
      // Taken before the shortcut runs: Fedify deletes keys of the values it is given after.
      const copy = expandedCopy(input, options);
      if (copy) copies.push({ input: structuredClone(input), options, copy });
      return shortcut(input, options);
    };
    let parsed = 0;
    for (const [name, json] of payloads()) {
      const before = copies.length;
      try {
        // Read, then written out as the outbox writes its activities (an expansion, then a
        // compaction).
        const object = await ASObject.fromJsonLd(json, loaders);
        await object.toJsonLd({ ...loaders, format: "compact" });
      } catch (error) {
        // A payload Fedify's vocabulary refuses is refused the same way without the shortcut.
        processor.expand = realExpand;
        await assert.rejects(ASObject.fromJsonLd(json, loaders), { message: String(error) });
        processor.expand = shortcut;
        continue;
      }
      parsed++;
      for (const { input, options, copy } of copies.slice(before))
        assert.deepEqual(canonical(copy), canonical(await realExpand(input, options)), name);
    }
    assert.ok(parsed >= benchActivities.length, `${parsed} payloads parsed`);
    // The benchmark's two activities alone make several copies each (their object, its place or
    // mention, and each parent class of each).
    assert.ok(copies.length >= 10, `${copies.length} copies`);
  });

  it("reads every payload the same as the processor's own expansions do", async () => {
    for (const [name, json] of payloads()) {
      const withShortcut = await reading(json).catch((e: Error) => `refused: ${e.message}`);
      processor.expand = realExpand;
      const without = await reading(json).catch((e: Error) => `refused: ${e.message}`);
      processor.expand = shortcut;
      assert.deepEqual(withShortcut, without, name);
    }
  });

  it("leaves to the processor whatever is not in expanded form, or other options", async () => {
    const options = { keepFreeFloatingNodes: true };
    const [expanded] = (await processor.expand(benchActivities[0], {
      ...options,
      documentLoader: loaders.contextLoader,
    })) as Record<string, unknown>[];
    assert.ok(expanded);
    assert.ok(expandedCopy(expanded, options), "an expansion's own output is copied");
    assert.deepEqual(expandedCopy(structuredClone(expanded), options), [expanded]);
    // Options Fedify does not use.
    assert.equal(expandedCopy(expanded, { ...options, expandContext: AS }), undefined);
    assert.equal(expandedCopy(expanded, { ...options, base: "https://ici.example/" }), undefined);
    assert.equal(expandedCopy(expanded, { ...options, safe: true }), undefined);
    assert.ok(expandedCopy(expanded, { ...options, base: "", compactArrays: true }));
    // Nested arrays of values are flattened, as expansion does.
    const nested = { "@id": "https://ici.example/a/1", [`${AS}#object`]: [[expanded]] };
    const flattened = { "@id": "https://ici.example/a/1", [`${AS}#object`]: [expanded] };
    assert.deepEqual(expandedCopy(nested, {}), [flattened]);
    assert.deepEqual(canonical(await realExpand(nested, {})), canonical([flattened]));
    // A JSON literal is copied whole, not shared.
    const literal = {
      "@id": "https://ici.example/a/2",
      [`${AS}#content`]: [{ "@value": { a: [1, { b: 2 }] }, "@type": "@json" }],
    };
    const [literalCopy] = expandedCopy(literal, {}) as Record<string, { "@value": unknown }[]>[];
    assert.deepEqual(canonical([literalCopy]), canonical(await realExpand(literal, {})));
    assert.notEqual(
      literalCopy![`${AS}#content`]![0]!["@value"],
      literal[`${AS}#content`][0]!["@value"],
    );
    // A lone reference is kept only when free-floating nodes are.
    const reference = { "@id": "https://ici.example/notes/2" };
    assert.deepEqual(expandedCopy(reference, options), [reference]);
    assert.deepEqual(expandedCopy(reference, {}), []);
    assert.deepEqual(await realExpand(reference, {}), []);
    // Compact documents, even without a context, and what is not quite expanded.
    for (const input of [
      { id: "https://ici.example/notes/2", type: "Note" },
      { "@id": "notes/2", [`${AS}#name`]: [{ "@value": "relative id" }] },
      { "@id": "https://ici.example/notes/2", "@type": "Note" },
      { "@id": "https://ici.example/notes/2", [`${AS}#name`]: "a bare string" },
      { "@id": "https://ici.example/notes/2", [`${AS}#name`]: [{ "@value": { a: 1 } }] },
      { "@id": "https://ici.example/notes/2", "@graph": [] },
      { "@id": "https://ici.example/notes/2", [`${AS}#items`]: [{ "@list": [[{ "@value": 1 }]] }] },
      [expanded],
    ])
      assert.equal(expandedCopy(input, options), undefined, JSON.stringify(input));
    expanded["content"] = [{ "@value": "a term, not an IRI" }];
    assert.equal(expandedCopy(expanded, options), undefined);
  });
});
