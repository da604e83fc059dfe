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
    const group = await api(b).post("/groups", {
      name: "Photo",
      slug: "photo",
      visibility: "public",
    });
    assert.equal(group.status, 201, group.text);
    const onA = await member(a, true);
    const followed = await api(a, onA.token).post("/groups/follow", {
      target: `@photo@${b.host}`,
    });
    assert.equal(followed.status, 201, followed.text);
    await waitFor("B's group to accept A's member", async () => {
      const page = await supertest(b.url)
        .get("/users/photo/followers")
        .set("accept", "application/activity+json");
      return page.body.totalItems === 1;
    });
    const opened = await api(b).post(`/groups/${group.body.id}/topics`, {
      title: "Concours d'automne",
      content: "Vos plus belles feuilles.",
    });
    assert.equal(opened.status, 201, opened.text);
    const topicOnA = await waitFor("the topic on A", async () => {
      const list = await api(a, onA.token).get(`/groups/${followed.body.id}/topics`);
      return (list.body.items as Json[]).find((t) => t.title === "Concours d'automne");
    });
    const postOnA = (await api(a, onA.token).get(`/topics/${topicOnA.id}`)).body.posts[0] as Json;
    const likesOnB = async () =>
      ((await api(b).get(`/topics/${opened.body.id}`)).body.posts[0] as Json).likes as number;
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
