// Activities parsed with one JSON-LD expansion (ADR 0171): Fedify's Activity.fromJsonLd, which
// its inbox worker calls for every queued activity, expanded each document twice (once to pick
// the class, once in it). A plain type now goes to its class at once; a context that gives the
// name another meaning still gets Activity's own parse.
import assert from "node:assert/strict";
import { Activity, Announce, Create, Note, Update } from "@fedify/vocab";
import jsonld from "@fedify/vocab-runtime/jsonld";
import { forgetParsed, keepParsed } from "../../federation/activity-parse.ts";

const AS = "https://www.w3.org/ns/activitystreams";
type Expand = (input: unknown, options?: unknown) => Promise<unknown[]>;
/** The JSON-LD processor Fedify's vocabulary parses with (the same module instance). */
const processor = jsonld as unknown as { expand: Expand };

describe("federation: an activity parsed with one expansion", () => {
  const expand = processor.expand;
  let expansions = 0;
  before(() => {
    processor.expand = (input, options) => {
      // Only expansions of a whole document (with its context), not of embedded values.
      if (input && typeof input === "object" && Object.hasOwn(input, "@context")) expansions++;
      return expand.call(processor, input, options);
    };
  });
  after(() => {
    processor.expand = expand;
  });

  const create = {
    "@context": AS,
    id: "https://autre.example/notes/1#create",
    type: "Create",
    actor: "https://autre.example/users/lea",
    to: [`${AS}#Public`],
    object: {
      id: "https://autre.example/notes/1",
      type: "Note",
      attributedTo: "https://autre.example/users/lea",
      content: "<p>Qui a une remorque ?</p>",
    },
  };

  it("a Create is read by Create's parser alone, with the same result", async () => {
    expansions = 0;
    const activity = await Activity.fromJsonLd(create);
    assert.equal(expansions, 1);
    assert.ok(activity instanceof Create);
    assert.equal(activity.id?.href, create.id);
    const note = await activity.getObject();
    assert.ok(note instanceof Note);
    assert.equal(note.content?.toString(), create.object.content);
    // Compared with the class's own parse.
    const direct = await Create.fromJsonLd(create);
    assert.deepEqual(await activity.toJsonLd(), await direct.toJsonLd());
  });

  it("a name the context gives another meaning still gets Activity's own parse", async () => {
    const other = {
      "@context": [AS, { Create: `${AS}#Update` }],
      id: "https://autre.example/notes/1#update",
      type: "Create",
      actor: "https://autre.example/users/lea",
    };
    expansions = 0;
    const activity = await Activity.fromJsonLd(other);
    assert.ok(activity instanceof Update, "read as what the name means here");
    assert.equal(activity.id?.href, other.id);
    // Create's parser refused it, then Activity's parse ran as before.
    assert.equal(expansions, 3);
    await assert.rejects(
      Activity.fromJsonLd({ ...other, "@context": [AS, { Create: "https://example.org/ns#P" }] }),
      /Invalid type: https:\/\/example.org\/ns#P/,
    );
  });

  it("leaves a subclass's own parse and several types alone", async () => {
    const announce = { ...create, id: "https://autre.example/a/1", type: "Announce" };
    assert.ok((await Announce.fromJsonLd(announce)) instanceof Announce);
    const twoTypes = { ...create, type: ["Create", "https://example.org/ns#Extra"] };
    expansions = 0;
    assert.ok((await Activity.fromJsonLd(twoTypes)) instanceof Create);
    assert.equal(expansions, 2, "several types: Activity's parse picks the class, as before");
  });

  it("gives the worker of the same process the activity the inbox parsed, once", async () => {
    const doc = { ...create, id: "https://autre.example/notes/2#create" };
    const parsed = await Activity.fromJsonLd(doc);
    keepParsed(doc, parsed);
    // The document as a queue gives it back: another object, its keys in another order.
    const queued = Object.fromEntries(
      Object.entries(JSON.parse(JSON.stringify(doc)) as typeof doc).reverse(),
    ) as typeof doc;
    expansions = 0;
    assert.equal(await Activity.fromJsonLd(queued), parsed);
    assert.equal(expansions, 0, "taken, not parsed again");
    // Taken once: a second parse (a retry) reads the document again.
    const again = await Activity.fromJsonLd(queued);
    assert.notEqual(again, parsed);
    assert.equal(expansions, 1);

    // Forgotten when its queuing failed; another document is never given this one's activity.
    forgetParsed(keepParsed(doc, parsed)!);
    assert.notEqual(await Activity.fromJsonLd(queued), parsed);
    keepParsed(doc, parsed);
    const edited = { ...queued, object: { ...queued.object, content: "<p>Autre</p>" } };
    assert.notEqual(await Activity.fromJsonLd(edited), parsed);
    // A subclass's own parse is not Activity's: it never takes one.
    keepParsed(doc, parsed);
    assert.notEqual(await Create.fromJsonLd(queued), parsed);
    forgetParsed(doc.id);
  });
});
