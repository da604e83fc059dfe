// Mentions across instances: a reply in B's group mentioning a member of A reaches them through
// the group's Announce; a post in A's group mentioning a member of B reaches them directly even
// though B follows nothing of A.
import assert from "node:assert/strict";
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

describe("forums federation: mentions across instances", function () {
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
  });
});
