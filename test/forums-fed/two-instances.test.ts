// Forums across two Maillage instances (FEP-1b12): a member of A follows a group hosted on B,
// writes in it, and sees what B's members write; moderation and reports cross over too.
import assert from "node:assert/strict";
import { signRequest } from "@fedify/fedify";
import supertest from "supertest";
import {
  api,
  drain,
  member,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";

const AS = "application/activity+json";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function createGroup(peer: Peer, name: string, slug: string): Promise<Json> {
  const res = await api(peer).post("/groups", { name, slug, visibility: "public" });
  assert.equal(res.status, 201, res.text);
  return res.body as Json;
}

describe("forums federation: two instances", function () {
  this.timeout(180_000);
  let net: Network;
  let a: Peer;
  let b: Peer;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    a = net.a!;
    b = net.b!;
  });
  after(() => stopNetwork(net));

  it("serves a public group as a Group actor, with its handle in the API", async () => {
    const group = await createGroup(b, "Randonnée", "randonnee");
    assert.equal(group.actor, `${b.url}/users/randonnee`);
    assert.equal(group.handle, `@randonnee@${b.host}`);
    const actor = await supertest(b.url).get("/users/randonnee").set("accept", AS);
    assert.equal(actor.status, 200);
    assert.equal(actor.body.type, "Group");
    assert.equal(actor.body.preferredUsername, "randonnee");
    const finger = await supertest(b.url)
      .get("/.well-known/webfinger")
      .query({ resource: `acct:randonnee@${b.host}` });
    assert.equal(finger.status, 200);
    // A local group has no actor, and its slug cannot become a username.
    const local = await api(b).post("/groups", {
      name: "Interne",
      slug: "interne",
      visibility: "local",
    });
    assert.equal(local.status, 201, local.text);
    assert.equal((await supertest(b.url).get("/users/interne").set("accept", AS)).status, 404);
    // A network group's topics are served only to signed fetches of allowed instances.
    const network = await api(b).post("/groups", {
      name: "Réseau",
      slug: "reseau",
      visibility: "network",
    });
    const topic = await api(b).post(`/groups/${network.body.id}/topics`, {
      title: "Entre CMCAS",
      content: "Réservé au réseau",
    });
    assert.equal(topic.status, 201, topic.text);
    const unsigned = await supertest(b.url).get(`/topics/${topic.body.id}`).set("accept", AS);
    assert.notEqual(unsigned.type, "application/activity+json");
    assert.ok(!unsigned.text.includes("Réservé au réseau"));
  });

  it("A follows B's group, opens a topic; B stores it and tells its members; B's reply, report and removal reach the other side", async () => {
    const onB = await member(b, true);
    const joined = await api(b, onB.token).post("/groups/randonnee/membership", {});
    assert.ok([200, 201].includes(joined.status), joined.text);

    const onA = await member(a, true);
    const followed = await api(a, onA.token).post("/groups/follow", {
      target: `@randonnee@${b.host}`,
    });
    assert.equal(followed.status, 201, followed.text);
    const remote = followed.body as Json;
    assert.equal(remote.handle, `@randonnee@${b.host}`);
    assert.equal(remote.actor, `${b.url}/users/randonnee`);
    await waitFor("B's group to accept A's member", async () => {
      const page = await supertest(b.url).get("/users/randonnee/followers").set("accept", AS);
      return page.body.totalItems === 1;
    });
    // A member on A once B's Accept is there (pending until then).
    await waitFor("A to hear B's Accept", async () => {
      const group = await api(a, onA.token).get(`/groups/${remote.id as string}`);
      return group.body.membership === "active";
    });

    // A's member opens a topic in B's group, from A.
    const opened = await api(a, onA.token).post(`/groups/${remote.id}/topics`, {
      title: "Sortie au Vercors",
      content: "Qui vient samedi ?",
    });
    assert.equal(opened.status, 201, opened.text);
    const topicOnA = opened.body as Json;
    const onBTopic = await waitFor("B to store the topic", async () => {
      const list = await api(b, onB.token).get("/groups/randonnee/topics");
      return (list.body.items as Json[]).find((t) => t.title === "Sortie au Vercors");
    });
    const shownOnB = await api(b, onB.token).get(`/topics/${onBTopic.id}`);
    assert.match(shownOnB.body.posts[0].content, /Qui vient samedi/);
    // B's member, subscribed by joining, is told about it (the group's followers on B).
    await drain(a, b);
    const notes = await b.instance.ctx.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", onB.user.id)
      .execute();
    assert.ok(
      notes.some((n) => n.kind === "forums:newTopic"),
      JSON.stringify(notes),
    );

    // A reply written on B reaches A through the group's Announce.
    const replied = await api(b, onB.token).post(`/topics/${onBTopic.id}/replies`, {
      content: "Moi ! Départ à 8 h.",
    });
    assert.equal(replied.status, 201, replied.text);
    const replyOnA = await waitFor("the reply on A", async () => {
      const topic = await api(a, onA.token).get(`/topics/${topicOnA.id}`);
      return (topic.body.posts as Json[]).find((p) => /Départ à 8 h/.test(p.content ?? ""));
    });

    // Both are served as ActivityStreams, in one FEP-7888 context; edits cross over as Update.
    const replyOnB = (
      (await api(b, onB.token).get(`/topics/${onBTopic.id}`)).body.posts as Json[]
    ).find((p) => /Départ à 8 h/.test(p.content ?? ""))!;
    const note = await supertest(b.url).get(`/posts/${replyOnB.id}`).set("accept", AS);
    assert.equal(note.status, 200, note.text);
    assert.equal(note.body.type, "Note");
    assert.equal(note.body.audience, `${b.url}/users/randonnee`);
    const page = await supertest(a.url).get(`/topics/${topicOnA.id}`).set("accept", AS);
    assert.equal(page.body.type, "Page");
    assert.equal(page.body.name, "Sortie au Vercors");
    assert.equal(note.body.inReplyTo, page.body.id);
    assert.equal(note.body.context, page.body.context);
    const context = await supertest(a.url)
      .get(new URL(page.body.context as string).pathname)
      .set("accept", AS);
    assert.deepEqual(context.body.orderedItems, [page.body.id, note.body.id]);
    const edited = await api(b, onB.token).patch(`/posts/${replyOnB.id}`, {
      content: "Moi ! Départ à 9 h finalement.",
    });
    assert.equal(edited.status, 200, edited.text);
    await waitFor("the edit on A", async () => {
      const topic = await api(a, onA.token).get(`/topics/${topicOnA.id}`);
      return (topic.body.posts as Json[]).some((p) => /9 h finalement/.test(p.content ?? ""));
    });

    // Lemmy's Lock, signed by B's group and posted to A's inbox, locks the topic on A.
    const groupKey = (await b.instance.federation.keys.pairs("randonnee"))[0]!;
    const lock = await signRequest(
      new Request(`${a.url}/inbox`, {
        method: "POST",
        headers: { "content-type": AS },
        body: JSON.stringify({
          "@context": "https://www.w3.org/ns/activitystreams",
          id: `${b.url}/activities/${crypto.randomUUID()}`,
          type: "Lock",
          actor: `${b.url}/users/randonnee`,
          object: page.body.id,
          summary: "Sortie complète",
          audience: `${b.url}/users/randonnee`,
        }),
      }),
      groupKey.privateKey,
      new URL(`${b.url}/users/randonnee#main-key`),
    );
    assert.equal((await fetch(lock)).status, 202);
    await waitFor("the lock on A", async () => {
      const row = await a.instance.ctx.db
        .selectFrom("forum_topics")
        .select("locked_at")
        .where("id", "=", topicOnA.id)
        .executeTakeFirstOrThrow();
      return row.locked_at !== null;
    });
    const locked = await api(a, onA.token).post(`/topics/${topicOnA.id}/replies`, {
      content: "Trop tard ?",
    });
    assert.equal(locked.status, 409, locked.text);

    // A report from A about that reply lands in B's moderation queue (Flag by A's instance).
    const reported = await api(a, onA.token).post("/reports", {
      postId: replyOnA.id,
      reason: "Hors sujet",
    });
    assert.equal(reported.status, 201, reported.text);
    await waitFor("the report on B", async () => {
      const queue = await api(b).get("/groups/randonnee/reports");
      return (queue.body.items as Json[]).some((r) => r.reason === "Hors sujet");
    });

    // B's moderator removes the topic: it is removed on A, with the reason in A's log.
    const removed = await api(b).post(`/posts/${shownOnB.body.posts[0].id}/removal`, {
      reason: "Doublon d'une autre sortie",
    });
    assert.equal(removed.status, 204, removed.text);
    await waitFor("the removal on A", async () => {
      const topic = await a.instance.ctx.db
        .selectFrom("forum_topics")
        .select("removed_at")
        .where("id", "=", topicOnA.id)
        .executeTakeFirstOrThrow();
      return topic.removed_at !== null;
    });
    const told = await waitFor("A's member to be told why", () =>
      a.instance.ctx.db
        .selectFrom("notifications")
        .select("data")
        .where("user_id", "=", onA.user.id)
        .where("kind", "=", "forums:topicRemoved")
        .executeTakeFirst(),
    );
    assert.match(JSON.stringify(told.data), /Doublon d'une autre sortie/);
    const log = await api(a, onA.token).get(`/groups/${remote.id}/moderation-log`);
    assert.ok(
      (log.body.items as Json[]).some((e) => e.reason === "Doublon d'une autre sortie"),
      JSON.stringify(log.body),
    );
  });

  it("a ban on B becomes a Block: A stops sending the member's posts, and B refuses them", async () => {
    const banned = await member(a, true);
    const followed = await api(a, banned.token).post("/groups/follow", {
      target: `@randonnee@${b.host}`,
    });
    assert.equal(followed.status, 201, followed.text);
    const remoteId = (followed.body as Json).id as string;
    await drain(a, b);
    const ban = await api(b).post("/groups/randonnee/bans", {
      username: `${banned.username}@${a.host}`,
      days: 7,
      reason: "Propos insultants",
    });
    assert.equal(ban.status, 201, ban.text);
    await waitFor("the Block on A", () =>
      a.instance.ctx.db
        .selectFrom("forum_bans")
        .select("reason")
        .where("user_id", "=", banned.user.id)
        .where("group_id", "=", remoteId)
        .executeTakeFirst(),
    );
    const refused = await api(a, banned.token).post(`/groups/${remoteId}/topics`, {
      title: "Encore moi",
      content: "Bonjour",
    });
    assert.equal(refused.status, 403, refused.text);

    // Even if A still sent it, B would not keep it.
    await a.instance.ctx.db
      .deleteFrom("forum_bans")
      .where("user_id", "=", banned.user.id)
      .execute();
    const sent = await api(a, banned.token).post(`/groups/${remoteId}/topics`, {
      title: "Message interdit",
      content: "Bonjour",
    });
    assert.equal(sent.status, 201, sent.text);
    await drain(a, b);
    const kept = await b.instance.ctx.db
      .selectFrom("forum_topics")
      .select("id")
      .where("title", "=", "Message interdit")
      .executeTakeFirst();
    assert.equal(kept, undefined);
  });

  it("following a group that already has 30 topics shows those 30 topics", async () => {
    const group = await createGroup(b, "Histoire locale", "histoire");
    for (let i = 1; i <= 30; i++) {
      const res = await api(b).post(`/groups/${group.id}/topics`, {
        title: `Archive n° ${i}`,
        content: `Document ${i}`,
      });
      assert.equal(res.status, 201, res.text);
    }
    await drain(b);
    const reader = await member(a, true);
    const followed = await api(a, reader.token).post("/groups/follow", {
      target: `${b.url}/users/histoire`,
    });
    assert.equal(followed.status, 201, followed.text);
    const id = (followed.body as Json).id as string;
    await waitFor(
      "the 30 topics on A",
      async () => {
        const list = await api(a, reader.token).get(`/groups/${id}/topics`);
        return list.body.total === 30;
      },
      90_000,
    );
    const titles = new Set<string>();
    for (const page of [1, 2]) {
      const list = await api(a, reader.token).get(`/groups/${id}/topics?page=${page}`);
      for (const t of list.body.items as Json[]) titles.add(t.title as string);
    }
    for (let i = 1; i <= 30; i++) assert.ok(titles.has(`Archive n° ${i}`), `Archive n° ${i}`);
    const page = await supertest(a.url).get(`/groups/histoire@${b.host}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Archive n° 30/);

    // A reply to a topic A lost: A fetches the missing parent from B and shows both.
    const first = await b.instance.ctx.db
      .selectFrom("forum_topics")
      .select("id")
      .where("title", "=", "Archive n° 1")
      .executeTakeFirstOrThrow();
    await a.instance.ctx.db
      .deleteFrom("forum_topics")
      .where("title", "=", "Archive n° 1")
      .execute();
    const late = await api(b).post(`/topics/${first.id}/replies`, { content: "Complément tardif" });
    assert.equal(late.status, 201, late.text);
    await waitFor("the reply and its fetched topic on A", async () => {
      const row = await a.instance.ctx.db
        .selectFrom("forum_topics")
        .select("post_count")
        .where("title", "=", "Archive n° 1")
        .executeTakeFirst();
      return row?.post_count === 2;
    });

    // A reply written on A in B's group reaches B, threaded under the topic's opening post.
    const second = await a.instance.ctx.db
      .selectFrom("forum_topics")
      .select("id")
      .where("title", "=", "Archive n° 2")
      .executeTakeFirstOrThrow();
    const answered = await api(a, reader.token).post(`/topics/${second.id}/replies`, {
      content: "J'ai des photos de cette époque.",
    });
    assert.equal(answered.status, 201, answered.text);
    await waitFor("A's reply on B", async () => {
      const row = await b.instance.ctx.db
        .selectFrom("forum_posts as p")
        .innerJoin("forum_topics as t", "t.id", "p.topic_id")
        .select(["p.in_reply_to_id", "p.position"])
        .where("t.title", "=", "Archive n° 2")
        .where("p.text_plain", "like", "%photos de cette époque%")
        .executeTakeFirst();
      return row?.in_reply_to_id && row.position === 2;
    });

    // Renaming the group on B renames it on A (Update of the Group actor).
    const renamed = await supertest(b.url)
      .put("/api/v1/groups/histoire")
      .set("authorization", `Bearer ${b.admin.token}`)
      .send({ name: "Histoire et patrimoine", visibility: "public" });
    assert.equal(renamed.status, 200, renamed.text);
    await waitFor("the new name on A", async () => {
      const seen = await api(a, reader.token).get(`/groups/${id}`);
      return seen.body.name === "Histoire et patrimoine";
    });

    // Leaving the group undoes the follow on B.
    const left = await api(a, reader.token).delete(`/groups/${id}/membership`);
    assert.equal(left.status, 204, left.text);
    await waitFor("B to drop the follower", async () => {
      const followers = await supertest(b.url).get("/users/histoire/followers").set("accept", AS);
      return followers.body.totalItems === 0;
    });
  });
});
