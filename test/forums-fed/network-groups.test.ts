// A network group of B, followed from A, stays off limits to A's anonymous visitors: its
// visibility is carried over (stated by the Group actor, or read from the posts' addressing), and
// nothing of it is served to someone its audience excludes (ADR 0085).
import assert from "node:assert/strict";
import { signRequest } from "@fedify/fedify";
import supertest from "supertest";
import {
  api,
  member,
  signedGet,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";

const AS = "application/activity+json";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function accepted(b: Peer, groupSlug: string) {
  return waitFor("B's group to accept A's member", async () => {
    const row = await b.instance.ctx.db
      .selectFrom("federation_follows")
      .select("id")
      .where("local_actor", "=", groupSlug)
      .where("direction", "=", "incoming")
      .where("state", "=", "accepted")
      .executeTakeFirst();
    return row !== undefined;
  });
}

/** What an anonymous visitor of `peer` gets of a group, a topic and a search for `words` (which
 * the search page repeats), as text. */
async function anonymousView(peer: Peer, group: Json, topicId: string, words: string) {
  const web = supertest(peer.url);
  const pages = await Promise.all([
    web.get(`/groups/${group.slug}`),
    web.get("/groups"),
    web.get(`/topics/${topicId}`),
    web.get("/forums/search").query({ q: words }),
    web.get(`/api/v1/groups/${group.id}`),
    web.get(`/api/v1/groups/${group.id}/topics`),
    web.get(`/api/v1/topics/${topicId}`),
    web.get("/api/v1/forums/search").query({ q: words }),
  ]);
  return pages.map((p) => `${p.status} ${p.text}`).join("\n");
}

describe("forums federation: network groups stay within the network", function () {
  this.timeout(240_000);
  let net: Network;
  let a: Peer;
  let b: Peer;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    a = net.a!;
    b = net.b!;
  });
  after(() => stopNetwork(net));

  it("a network group of B is read on A by signed-in members only; its actor and our members' posts in it are served to allowed instances only", async () => {
    const created = await api(b).post("/groups", {
      name: "Réseau des élus",
      slug: "reseau",
      visibility: "network",
    });
    assert.equal(created.status, 201, created.text);

    // The Group actor: refused unsigned, served to an allowed instance, stating its visibility.
    const unsigned = await supertest(b.url).get("/users/reseau").set("accept", AS);
    assert.equal(unsigned.status, 401);
    assert.ok(!unsigned.text.includes("Réseau des élus"));
    const actor = await signedGet(a, `${b.url}/users/reseau`);
    assert.equal(actor?.type, "Group");
    assert.equal(actor?.visibility, "network");
    const followers = await supertest(b.url).get("/users/reseau/followers").set("accept", AS);
    assert.equal(followers.status, 401);

    const reader = await member(a, true);
    const followed = await api(a, reader.token).post("/groups/follow", {
      target: `@reseau@${b.host}`,
    });
    assert.equal(followed.status, 201, followed.text);
    const groupOnA = followed.body as Json;
    assert.equal(groupOnA.visibility, "network");
    await accepted(b, "reseau");

    const opened = await api(b).post(`/groups/${created.body.id}/topics`, {
      title: "Calendrier des commissions",
      content: "Les dates confidentielles du bureau",
    });
    assert.equal(opened.status, 201, opened.text);
    const topicOnA = await waitFor("the topic on A", async () => {
      const list = await api(a, reader.token).get(`/groups/${groupOnA.id}/topics`);
      return (list.body.items as Json[]).find((t) => t.title === "Calendrier des commissions");
    });

    // Anonymous visitors of A see nothing of it: pages, API, search.
    const seen = await anonymousView(a, groupOnA, topicOnA.id as string, "bureau");
    for (const secret of ["Réseau des élus", "Calendrier des commissions", "confidentielles"])
      assert.ok(!seen.includes(secret), `anonymous visitors of A read “${secret}”:\n${seen}`);
    // A's signed-in members read and find it.
    const found = await api(a, reader.token).get("/forums/search?q=confidentielles");
    assert.equal(found.status, 200, found.text);
    assert.equal(found.body.total, 1);

    // A's member replies; the reply, at its id on A, is not served to anyone but B.
    const reply = await api(a, reader.token).post(`/topics/${topicOnA.id}/replies`, {
      content: "Je propose le mardi soir",
    });
    assert.equal(reply.status, 201, reply.text);
    const postUrl = `${a.url}/posts/${reply.body.id}`;
    const anonymous = await supertest(a.url).get(`/posts/${reply.body.id}`).set("accept", AS);
    assert.ok(!anonymous.text.includes("mardi soir"), anonymous.text);
    const byB = await signedGet(b, postUrl);
    assert.match(String(byB?.content), /mardi soir/);
    // …and it was sent to B without `as:Public`.
    assert.ok(!JSON.stringify(byB).includes("#Public"), JSON.stringify(byB));
    await waitFor("the reply on B", async () => {
      const topic = await api(b).get(`/topics/${opened.body.id}`);
      return (topic.body.posts as Json[]).some((p) => /mardi soir/.test(p.content ?? ""));
    });
  });

  it("a public group that sends a post to its followers only is no longer public on A", async () => {
    const created = await api(b).post("/groups", {
      name: "Club photo",
      slug: "photo",
      visibility: "public",
    });
    assert.equal(created.status, 201, created.text);
    const reader = await member(a, true);
    const followed = await api(a, reader.token).post("/groups/follow", {
      target: `@photo@${b.host}`,
    });
    assert.equal(followed.status, 201, followed.text);
    const groupOnA = followed.body as Json;
    assert.equal(groupOnA.visibility, "public");
    await accepted(b, "photo");
    assert.equal((await supertest(a.url).get(`/groups/${groupOnA.slug}`)).status, 200);

    // B's group announces a page addressed to its followers only (no as:Public).
    const group = `${b.url}/users/photo`;
    const page = `${b.url}/topics/${crypto.randomUUID()}`;
    const key = (await b.instance.federation.keys.pairs("photo"))[0]!;
    const announce = await signRequest(
      new Request(`${a.url}/inbox`, {
        method: "POST",
        headers: { "content-type": AS },
        body: JSON.stringify({
          "@context": "https://www.w3.org/ns/activitystreams",
          id: `${b.url}/activities/${crypto.randomUUID()}`,
          type: "Announce",
          actor: group,
          to: `${group}/followers`,
          object: {
            id: `${b.url}/activities/${crypto.randomUUID()}`,
            type: "Create",
            actor: group,
            to: `${group}/followers`,
            object: {
              id: page,
              type: "Page",
              name: "Sortie réservée aux abonnés",
              content: "<p>Rendez-vous au lac caché</p>",
              attributedTo: group,
              audience: group,
              to: [group, `${group}/followers`],
              published: new Date().toISOString(),
            },
          },
        }),
      }),
      key.privateKey,
      new URL(`${group}#main-key`),
    );
    assert.equal((await fetch(announce)).status, 202);
    const topicOnA = await waitFor("the followers-only page on A", async () => {
      const list = await api(a, reader.token).get(`/groups/${groupOnA.id}/topics`);
      return (list.body.items as Json[]).find((t) => t.title === "Sortie réservée aux abonnés");
    });
    const group2 = await api(a, reader.token).get(`/groups/${groupOnA.id}`);
    assert.equal(group2.body.visibility, "network");
    const seen = await anonymousView(a, groupOnA, topicOnA.id as string, "lac");
    for (const secret of ["Sortie réservée aux abonnés", "lac caché"])
      assert.ok(!seen.includes(secret), `anonymous visitors of A read “${secret}”:\n${seen}`);
  });
});
