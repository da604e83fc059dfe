// Issue 16 item 17: the activities we send are served at their ids, with their object's
// visibility (a public group's announced Create to anyone, a network group's to allowed
// instances' signed fetches only, a removed post's Create as gone), by GET and HEAD, with media
// types compared without their parameters. Three instances on loopback: B allows A, not C.
import assert from "node:assert/strict";
import supertest from "supertest";
import {
  api,
  signedGet,
  startNetwork,
  stopNetwork,
  type Network,
  type Peer,
  waitFor,
} from "../federation/harness.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** The Announces group `slug` of `peer` sent, oldest first. */
async function announces(peer: Peer, slug: string): Promise<Json[]> {
  const rows = await peer.instance.ctx.db
    .selectFrom("federation_outbox")
    .select("activity")
    .where("actor", "=", slug)
    .where("activity_type", "=", "Announce")
    .orderBy("id")
    .execute();
  return rows.map((r) => (typeof r.activity === "string" ? JSON.parse(r.activity) : r.activity));
}

async function openTopic(peer: Peer, group: string, title: string) {
  const opened = await api(peer).post(`/groups/${group}/topics`, { title, content: `${title}…` });
  assert.equal(opened.status, 201, opened.text);
  return opened.body as Json;
}

describe("forums federation: the activities we send are served at their ids", function () {
  this.timeout(240_000);
  let net: Network;
  let a: Peer;
  let b: Peer;
  let c: Peer;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"], c: ["b"] });
    a = net.a!;
    b = net.b!;
    c = net.c!;
  });
  after(() => stopNetwork(net));

  it("a public group's Announce and the Create it carries are served to anyone, by GET and HEAD; once the topic is removed the Create is gone and the Delete is served", async () => {
    const group = await api(b).post("/groups", {
      name: "Pétanque",
      slug: "petanque",
      visibility: "public",
    });
    assert.equal(group.status, 201, group.text);
    const topic = await openTopic(b, group.body.id, "Concours de juin");
    const announce = await waitFor("the group's Announce", async () =>
      (await announces(b, "petanque")).find((x) => x.object?.type === "Create"),
    );
    const create = announce.object as Json;
    assert.equal(create.type, "Create");

    // The Announce at its id, asked with the type the ActivityPub specification names.
    const outer = await supertest(b.url).get(new URL(announce.id).pathname).set("accept", LD);
    assert.equal(outer.status, 200, outer.text);
    assert.match(String(outer.headers["content-type"]), /application\/activity\+json/);
    assert.equal(JSON.parse(outer.text).id, announce.id);

    // The member's Create, sent only inside the Announce, at its own id.
    const inner = await supertest(b.url).get(new URL(create.id).pathname).set("accept", LD);
    assert.equal(inner.status, 200, inner.text);
    const served = JSON.parse(inner.text) as Json;
    assert.equal(served.id, create.id);
    assert.equal(served.type, "Create");
    assert.equal(served.object.id, `${b.url}/topics/${topic.id}`);
    assert.equal(served.object.name, "Concours de juin");
    assert.ok(served["@context"], "the embedded activity is served with a context");

    const head = await supertest(b.url)
      .head(new URL(create.id).pathname)
      .set("accept", "application/activity+json");
    assert.equal(head.status, 200);
    assert.match(String(head.headers["content-type"]), /application\/activity\+json/);
    // A browser is sent to the topic's page.
    const html = await supertest(b.url).get(new URL(create.id).pathname).set("accept", "text/html");
    assert.equal(html.status, 303);
    assert.equal(html.headers.location, `/topics/${topic.id}`);
    const unknown = await supertest(b.url)
      .get(`/activities/${crypto.randomUUID()}`)
      .set("accept", LD);
    assert.equal(unknown.status, 404);

    // Removed by a moderator: the Create answers 410 Gone, the group's Delete is served.
    const posts = await api(b).get(`/topics/${topic.id}`);
    const opening = (posts.body.posts as Json[])[0]!;
    const removed = await api(b).post(`/posts/${opening.id}/removal`, { reason: "Hors sujet" });
    assert.ok(removed.status < 300, removed.text);
    const gone = await supertest(b.url).get(new URL(create.id).pathname).set("accept", LD);
    assert.equal(gone.status, 410, gone.text);
    assert.equal(JSON.parse(gone.text).type, "Tombstone");
    const goneHead = await supertest(b.url).head(new URL(create.id).pathname).set("accept", LD);
    assert.equal(goneHead.status, 410);
    const deletion = await waitFor("the group's Announce of the removal", async () =>
      (await announces(b, "petanque")).find((x) => x.object?.type === "Delete"),
    );
    const del = await supertest(b.url).get(new URL(deletion.object.id).pathname).set("accept", LD);
    assert.equal(del.status, 200, del.text);
    assert.equal(JSON.parse(del.text).type, "Delete");
  });

  it("a network group's activities are served to signed fetches of allowed instances only", async () => {
    const group = await api(b).post("/groups", {
      name: "Bureau",
      slug: "bureau",
      visibility: "network",
    });
    assert.equal(group.status, 201, group.text);
    await openTopic(b, group.body.id, "Ordre du jour confidentiel");
    const announce = await waitFor("the network group's Announce", async () =>
      (await announces(b, "bureau")).find((x) => x.object?.type === "Create"),
    );
    for (const id of [announce.id as string, announce.object.id as string]) {
      const unsigned = await supertest(b.url).get(new URL(id).pathname).set("accept", LD);
      assert.equal(unsigned.status, 401, unsigned.text);
      assert.ok(!unsigned.text.includes("confidentiel"));
      const byA = await signedGet(a, id);
      assert.equal(byA?.id, id);
      // C signs, but B does not federate with C.
      assert.equal(await signedGet(c, id), undefined);
    }
  });
});
