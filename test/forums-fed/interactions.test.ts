// What happens around a post of a federated group once instances follow it, between two
// instances A and B: a moderator's lock and unlock (Lemmy's `Lock`, then `Undo(Lock)`, announced
// by the group), likes and their Undo, and mentions of members of the other instance (through the
// group's Announce, or sent directly when the mentioned member's instance follows nothing).
import assert from "node:assert/strict";
import supertest from "supertest";
import {
  api,
  member,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";
import { followGroupOfB, openTopicOnB } from "./support.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function mentionOf(peer: Peer, token: string) {
  const list = await api(peer, token).get("/notifications");
  return (list.body.items as Json[]).find((n) => n.kind === "forums:mention");
}

describe("forums federation: locks, likes and mentions across instances", function () {
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

  it("a lock on B's group's topic locks it on A, and an unlock reopens it", async () => {
    const onA = await member(a, true);
    const group = await followGroupOfB(a, b, onA.token, { name: "Pêche", slug: "peche" });
    const topic = await openTopicOnB(a, b, onA.token, group, {
      title: "Ouverture de la truite",
      content: "Rendez-vous au lac.",
    });
    const topicOnA = topic.onA;
    const isLocked = async () =>
      (await api(a, onA.token).get(`/topics/${topicOnA.id}`)).body.topic.locked as boolean;
    assert.equal(await isLocked(), false);

    const locked = await api(b).post(`/topics/${topic.onB}/lock`, {
      reason: "Sortie annulée",
    });
    assert.equal(locked.status, 204, locked.text);
    await waitFor("the lock on A", isLocked);
    const refused = await api(a, onA.token).post(`/topics/${topicOnA.id}/replies`, {
      content: "Dommage !",
    });
    assert.equal(refused.status, 409, refused.text);

    const unlocked = await api(b).post(`/topics/${topic.onB}/unlock`, {
      reason: "Sortie maintenue",
    });
    assert.equal(unlocked.status, 204, unlocked.text);
    await waitFor("the unlock on A", async () => !(await isLocked()));
    const replied = await api(a, onA.token).post(`/topics/${topicOnA.id}/replies`, {
      content: "J'y serai.",
    });
    assert.equal(replied.status, 201, replied.text);
    const log = await api(a, onA.token).get(`/groups/${group.onA}/moderation-log`);
    const reasons = (log.body.items as Json[]).map((e) => e.reason);
    assert.ok(reasons.includes("Sortie annulée"), JSON.stringify(log.body));
    assert.ok(reasons.includes("Sortie maintenue"), JSON.stringify(log.body));
  });

  it("a like from A on B's topic counts on B, and an unlike uncounts it", async () => {
    const onA = await member(a, true);
    const group = await followGroupOfB(a, b, onA.token, { name: "Photo", slug: "photo" });
    const topic = await openTopicOnB(a, b, onA.token, group, {
      title: "Concours d'automne",
      content: "Vos plus belles feuilles.",
    });
    const topicOnA = topic.onA;
    const postOnA = (await api(a, onA.token).get(`/topics/${topicOnA.id}`)).body.posts[0] as Json;
    const likesOnB = async () =>
      ((await api(b).get(`/topics/${topic.onB}`)).body.posts[0] as Json).likes as number;
    assert.equal(await likesOnB(), 0);

    const liked = await supertest(a.url)
      .put(`/api/v1/posts/${postOnA.id}/like`)
      .set("authorization", `Bearer ${onA.token}`);
    assert.equal(liked.status, 200, liked.text);
    await waitFor("the like on B", async () => (await likesOnB()) === 1);

    const unliked = await api(a, onA.token).delete(`/posts/${postOnA.id}/like`);
    assert.equal(unliked.status, 200, unliked.text);
    await waitFor("the unlike on B", async () => (await likesOnB()) === 0);
  });

  it("a reply in B's group that A follows mentioning @alice@A notifies alice on A", async () => {
    const follower = await member(a, true);
    const alice = await member(a, true);
    const group = await followGroupOfB(a, b, follower.token, { name: "Randonnée", slug: "rando" });
    const opened = await openTopicOnB(a, b, follower.token, group, {
      title: "Sortie au col",
      content: "Départ à 8 h.",
    });
    const writer = await member(b, true);
    const reply = await api(b, writer.token).post(`/topics/${opened.onB}/replies`, {
      content: `@${alice.username}@${a.host} viens-tu ?`,
    });
    assert.equal(reply.status, 201, reply.text);

    const note = await waitFor("alice's mention notification on A", () =>
      mentionOf(a, alice.token),
    );
    assert.match(note.link, /^\/topics\/[0-9a-f-]{36}/);
    const topic = await api(a, alice.token).get(note.link.split("?")[0]);
    assert.equal(topic.body.topic.title, "Sortie au col", topic.text);
    // The other member of A, who follows the group, is told of a new reply, not of a mention.
    assert.equal(await mentionOf(a, follower.token), undefined);
  });

  it("a post in A's group mentioning @bob@B reaches bob without B following the group", async () => {
    const group = await api(a).post("/groups", {
      name: "Jardinage",
      slug: "jardin",
      visibility: "public",
    });
    assert.equal(group.status, 201, group.text);
    const bob = await member(b, true);
    const author = await member(a, true);
    const opened = await api(a, author.token).post(`/groups/${group.body.id}/topics`, {
      title: "Semis de tomates",
      content: `Des conseils, @${bob.username}@${b.host} ?`,
    });
    assert.equal(opened.status, 201, opened.text);

    const note = await waitFor("bob's mention notification on B", () => mentionOf(b, bob.token));
    const topic = await api(b, bob.token).get(note.link);
    assert.equal(topic.status, 200, topic.text);
    assert.equal(topic.body.topic.title, "Semis de tomates");

    // The topic served at its id names bob as the Create did: a `Mention` tag, bob in `cc`.
    const served = await supertest(a.url)
      .get(`/topics/${opened.body.id as string}`)
      .set("accept", "application/activity+json");
    assert.equal(served.status, 200, served.text);
    const bobUri = `${b.url}/users/${bob.user.id}`;
    const tags = ([] as Json[]).concat(served.body.tag ?? []);
    assert.deepEqual(
      tags.map((t) => [t.type, t.href, t.name]),
      [["Mention", bobUri, `@${bob.username}@${b.host}`]],
      served.text,
    );
    assert.deepEqual(([] as string[]).concat(served.body.cc ?? []), [bobUri]);
  });
});
