// Issue 16 item 20: a followed group's threads are backfilled from their FEP-f228 context
// collection where the group's server offers one (as NodeBB does), else from its outbox. A fake
// NodeBB-like server on loopback serves the category, its outbox (the opening posts only, as an
// outbox holds the latest activities) and the threads' contexts.
import assert from "node:assert/strict";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { backfillGroup } from "../../federation/forums/follow-groups.ts";
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
type Json = Record<string, unknown>;

describe("forums federation: threads backfilled from their context collection", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;
  let category: string;
  let author: string;
  let groupId: string;

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    category = await peer.actor(
      "/category/5",
      { type: "Group", preferredUsername: "jardins", name: "Jardins partagés" },
      AS,
    );
    author = await peer.actor("/uid/4", { type: "Person", preferredUsername: "noe" }, AS);
    const actor = await saveRemoteActor(instance.ctx.db, {
      uri: category,
      host: peer.host,
      type: "Group",
      username: "jardins",
      name: "Jardins partagés",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `${category}/inbox`,
      sharedInbox: null,
      outbox: `${category}/outbox`,
      followersUrl: null,
    });
    groupId = (await saveRemoteGroup(instance.ctx.db, actor)).id;
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  /** A post of the thread `tid` as NodeBB serves one: a Note, the topic's first with a name. */
  const post = (pid: number, tid: number, fields: Json): Json => ({
    "@context": AS,
    id: `${peer.url}/post/${pid}`,
    type: "Note",
    attributedTo: author,
    audience: category,
    to: [PUBLIC],
    cc: [category],
    context: `${peer.url}/topic/${tid}`,
    published: new Date(Date.UTC(2026, 10, 1, 9, pid)).toISOString(),
    ...fields,
  });
  const serve = (doc: Json) => peer.documents.set(new URL(doc.id as string).pathname, doc);
  const contents = async () =>
    (
      await instance.ctx.db
        .selectFrom("forum_posts")
        .select("content_html")
        .where("group_id", "=", groupId)
        .orderBy("created_at")
        .execute()
    ).map((r) => r.content_html);

  it("reads each thread's context collection, and the outbox alone for a thread without one", async () => {
    const opening = post(100, 7, {
      name: "Graines à échanger",
      content: "<p>Qui a des fèves ?</p>",
    });
    const replies = [
      post(101, 7, { content: "<p>Moi, des fèves d'Aquitaine</p>", inReplyTo: opening.id }),
      post(102, 7, { content: "<p>Je passe jeudi</p>", inReplyTo: `${peer.url}/post/101` }),
    ];
    // Another thread whose context is not a collection (a page): the outbox is all there is.
    const other = post(200, 8, {
      name: "Outils",
      content: "<p>Une bêche à prêter</p>",
      context: `${peer.url}/topic/8/outils`,
    });
    const otherReply = post(201, 8, {
      content: "<p>Jamais vue ailleurs</p>",
      inReplyTo: other.id,
      context: other.context,
    });
    for (const doc of [opening, ...replies, other, otherReply]) serve(doc);
    peer.documents.set("/topic/8/outils", { "@context": AS, id: other.context, type: "Page" });
    // FEP-f228: the thread's context, an ordered collection of its posts' ids.
    peer.documents.set("/topic/7", {
      "@context": AS,
      id: `${peer.url}/topic/7`,
      type: "OrderedCollection",
      attributedTo: category,
      totalItems: 3,
      orderedItems: [opening.id, ...replies.map((r) => r.id)],
    });
    // The outbox holds the two opening posts only, announced by the category.
    peer.documents.set("/category/5/outbox", {
      "@context": AS,
      id: `${category}/outbox`,
      type: "OrderedCollection",
      totalItems: 2,
      orderedItems: [opening, other].map((object) => ({
        id: `${object.id as string}#announce`,
        type: "Announce",
        actor: category,
        to: [PUBLIC],
        object: { ...object, "@context": undefined },
      })),
    });

    await backfillGroup(instance.federation, groupId);

    const stored = await contents();
    assert.ok(
      stored.some((c) => c.includes("Qui a des fèves")),
      stored.join("\n"),
    );
    // The replies came from the context collection only.
    assert.ok(
      stored.some((c) => c.includes("fèves d'Aquitaine")),
      stored.join("\n"),
    );
    assert.ok(
      stored.some((c) => c.includes("Je passe jeudi")),
      stored.join("\n"),
    );
    assert.ok(
      peer.received.some((r) => r.method === "GET" && r.path === "/topic/7"),
      "the context collection was read",
    );
    // The thread without a context collection: what the outbox held, and nothing more.
    assert.ok(
      stored.some((c) => c.includes("Une bêche à prêter")),
      stored.join("\n"),
    );
    assert.ok(!stored.some((c) => c.includes("Jamais vue ailleurs")), stored.join("\n"));
    // The replies hang in their thread, under the right topic.
    const threads = await instance.ctx.db
      .selectFrom("forum_posts as p")
      .innerJoin("forum_topics as t", "t.id", "p.topic_id")
      .select(["t.title", "p.position"])
      .where("p.ap_id", "in", [replies[1]!.id as string])
      .executeTakeFirstOrThrow();
    assert.equal(threads.title, "Graines à échanger");
    assert.equal(threads.position, 3);
  });
});
