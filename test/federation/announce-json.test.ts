// A group's announce of a received activity is written as JSON (federation/forums/announce-json.ts)
// instead of being compacted by Fedify: it must mean exactly what the compaction meant (the same
// expansion), and be written so only under a context that reads its terms as ActivityStreams.
import "../../federation/temporal.ts";
import "../../federation/contexts.ts";
import assert from "node:assert/strict";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import { Activity, Announce, Create, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import {
  announceIdJson,
  announceJson,
  announcesUnder,
  type AnnounceFields,
} from "../../federation/forums/announce-json.ts";
import { realExpand } from "../../federation/jsonld-reexpansion.ts";

const AS = "https://www.w3.org/ns/activitystreams";
type Json = Record<string, unknown>;

/** Keys sorted at every depth: two expansions compare as text. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value as Json)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;
const expanded = async (doc: unknown) =>
  canonical(await realExpand(doc, { documentLoader: getDocumentLoader() }));

const MASTODON_LIKE = [
  AS,
  "https://w3id.org/security/v1",
  { toot: "http://joinmastodon.org/ns#", sensitive: "as:sensitive", Hashtag: "as:Hashtag" },
];

const fields = (): AnnounceFields => ({
  id: new URL(`https://b.example/activities/${crypto.randomUUID()}`),
  actor: new URL("https://b.example/users/entraide"),
  to: PUBLIC_COLLECTION,
  ccs: [new URL("https://b.example/users/entraide/followers")],
  audience: new URL("https://b.example/users/entraide"),
});

/** A Create(Note) as another server sends it, parsed as the inbox parses it. */
async function received(context: unknown): Promise<Activity> {
  return Activity.fromJsonLd({
    "@context": context,
    id: "https://a.example/notes/1#create",
    type: "Create",
    actor: "https://a.example/users/lea",
    to: [`${AS}#Public`],
    cc: ["https://b.example/users/entraide"],
    object: {
      id: "https://a.example/notes/1",
      type: "Note",
      attributedTo: "https://a.example/users/lea",
      audience: "https://b.example/users/entraide",
      to: [`${AS}#Public`],
      content: "<p>Qui a une remorque à prêter samedi ?</p>",
      // Terms of Mastodon's context, when the sender names it.
      ...(context === MASTODON_LIKE
        ? {
            sensitive: false,
            tag: [{ type: "Hashtag", name: "#entraide", href: "https://a.example/tags/entraide" }],
          }
        : {}),
    },
  });
}

describe("a group's announce written as JSON", () => {
  it("is written under ActivityStreams, Fedify's and Mastodon's contexts, not under one that redefines its terms", async () => {
    const fedify = (
      (await new Create({
        id: new URL("https://a.example/c"),
        actor: new URL("https://a.example/u"),
      }).toJsonLd()) as Json
    )["@context"];
    assert.equal(await announcesUnder(AS), true);
    assert.equal(await announcesUnder(fedify), true);
    assert.equal(await announcesUnder(MASTODON_LIKE), true);
    assert.equal(await announcesUnder([AS, { to: "https://example.org/ns#to" }]), false);
    assert.equal(await announcesUnder([AS, { Announce: "https://example.org/ns#Share" }]), false);
    assert.equal(await announcesUnder([AS, { audience: { "@id": `${AS}#audience` } }]), false);
    assert.equal(await announcesUnder(undefined), false);
    assert.equal(await announcesUnder("https://unknown.invalid/context.jsonld"), false);
  });

  it("means what Fedify's compaction of the same announce means, and embeds the activity as received", async () => {
    for (const context of [AS, MASTODON_LIKE]) {
      const activity = await received(context);
      const f = fields();
      const json = await announceJson(f, activity);
      assert.ok(json, "written as JSON");
      assert.deepEqual(json["@context"], context);
      const { "@context": _, ...asReceived } = (activity as unknown as { _cachedJsonLd: Json })
        ._cachedJsonLd;
      assert.deepEqual(json.object, asReceived);
      const compacted = await new Announce({ ...f, object: activity }).toJsonLd({
        format: "compact",
      });
      assert.deepEqual(await expanded(json), await expanded(compacted));
    }
  });

  it("announces an object by its id as Fedify's compaction does", async () => {
    const f = fields();
    const object = new URL("https://a.example/notes/1");
    const compacted = await new Announce({ ...f, object }).toJsonLd({ format: "compact" });
    assert.deepEqual(await expanded(announceIdJson(f, object)), await expanded(compacted));
  });

  it("leaves an activity written here, or under another context, to Fedify's compaction", async () => {
    const ours = new Create({
      id: new URL("https://b.example/activities/1"),
      actor: new URL("https://b.example/users/ana"),
      object: new Note({ id: new URL("https://b.example/posts/1"), content: "Bonjour" }),
    });
    assert.equal(await announceJson(fields(), ours), undefined);
    const redefined = await received([AS, { to: "https://example.org/ns#to" }]);
    assert.equal(await announceJson(fields(), redefined), undefined);
  });
});
