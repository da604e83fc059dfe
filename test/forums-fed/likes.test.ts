// A member of A likes a topic of B's group (which A follows): B counts the like, then uncounts it
// when the member takes it back.
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

describe("forums federation: likes across instances", function () {
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
});
