// The forums part of the wire snapshot scenario: Léa of A follows B's public group and opens a
// topic there; Bob of B answers mentioning her and edits his answer; Léa edits her topic, likes
// and unlikes Bob's answer and reports it; B's admin locks, unlocks, removes, bans Hugo of A (who
// is refused when he asks to follow again) and renames the group; Léa leaves it; in A's own group
// Léa mentions Bob. Every step waits for what it sends and for both queues to be idle before the
// next one starts.
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, drain, waitFor, type Peer } from "../federation/harness.ts";
import { account, shape, type Capture, type Json } from "./capture.ts";

const AS = "application/activity+json";

export async function forumsOnTheWire(
  a: Peer,
  b: Peer,
  capture: Capture,
  labels: Map<string, string>,
): Promise<void> {
  const [lea, hugo, bob] = [
    await account(a, "lea", "Léa Moreau"),
    await account(a, "hugo", "Hugo Bernard"),
    await account(b, "bob", "Bob Leroy"),
  ];
  for (const m of [lea, hugo, bob]) labels.set(m.user.id, m.username);
  const followers = async (count: number) =>
    waitFor(`${count} followers of B's group`, async () => {
      const page = await supertest(b.url).get("/users/randonnee/followers").set("accept", AS);
      return page.body.totalItems === count;
    });
  const step = async (action: () => Promise<void>) => {
    const since = capture.mark();
    await action();
    return since;
  };

  const group = await api(b).post("/groups", {
    name: "Randonnée",
    slug: "randonnee",
    visibility: "public",
  });
  assert.equal(group.status, 201, group.text);
  const joined = await api(b, bob.token).post("/groups/randonnee/membership", {});
  assert.ok([200, 201].includes(joined.status), joined.text);
  const followed = await api(a, lea.token).post("/groups/follow", {
    target: `@randonnee@${b.host}`,
  });
  assert.equal(followed.status, 201, followed.text);
  const remoteGroup = followed.body.id as string;
  await followers(1);
  await capture.served("served/group", b, "/users/randonnee");
  await drain(a, b);

  // Léa's topic goes to the group, which announces it to its followers, except those of A: an
  // activity is never relayed back to the server it comes from (A has it already).
  let topicOnA = "";
  let since = await step(async () => {
    const opened = await api(a, lea.token).post(`/groups/${remoteGroup}/topics`, {
      title: "Sortie au Vercors",
      content: "Qui vient samedi ?",
    });
    assert.equal(opened.status, 201, opened.text);
    topicOnA = opened.body.id as string;
  });
  labels.set(topicOnA, "topic");
  await capture.sent("sent/create-page", since, b, shape("Create", "Page"));
  await capture.served("served/page", a, `/topics/${topicOnA}`);
  const topicOnB = await waitFor("the topic on B", async () => {
    const list = await api(b).get("/groups/randonnee/topics");
    return (list.body.items as Json[]).find((t) => t.title === "Sortie au Vercors");
  });
  await drain(a, b);

  // Bob answers on B, mentioning Léa; then edits his answer.
  let reply = "";
  since = await step(async () => {
    const res = await api(b, bob.token).post(`/topics/${topicOnB.id}/replies`, {
      content: `@lea@${a.host} je viens !`,
    });
    assert.equal(res.status, 201, res.text);
    reply = res.body.id as string;
  });
  labels.set(reply, "reply");
  await capture.sent("sent/announce-create-note", since, a, shape("Announce", "Create", "Note"));
  await capture.served("served/note", b, `/posts/${reply}`);
  const replyOnA = await waitFor("the reply on A", async () => {
    const topic = await api(a, lea.token).get(`/topics/${topicOnA}`);
    return (topic.body.posts as Json[]).find((p) => /je viens/.test(p.content ?? ""));
  });
  await drain(a, b);
  since = await step(async () => {
    const res = await api(b, bob.token).patch(`/posts/${reply}`, {
      content: `@lea@${a.host} je viens, avec Hugo !`,
    });
    assert.equal(res.status, 200, res.text);
  });
  await capture.sent("sent/announce-update-note", since, a, shape("Announce", "Update", "Note"));
  await drain(a, b);

  // Léa edits her topic: her Update goes to the group, which announces it (not to A).
  const opening = ((await api(a, lea.token).get(`/topics/${topicOnA}`)).body.posts as Json[])[0]!;
  since = await step(async () => {
    const res = await api(a, lea.token).patch(`/posts/${opening.id}`, {
      content: "Qui vient samedi ? Départ à 8 h.",
    });
    assert.equal(res.status, 200, res.text);
  });
  await capture.sent("sent/update-page", since, b, shape("Update", "Page"));
  await drain(a, b);

  // Léa likes Bob's answer, then takes her like back; the group announces both (not to A).
  since = await step(async () => {
    const res = await supertest(a.url)
      .put(`/api/v1/posts/${replyOnA.id}/like`)
      .set("authorization", `Bearer ${lea.token}`);
    assert.equal(res.status, 200, res.text);
  });
  await capture.sent("sent/like", since, b, shape("Like"));
  await drain(a, b);
  since = await step(async () => {
    const res = await api(a, lea.token).delete(`/posts/${replyOnA.id}/like`);
    assert.equal(res.status, 200, res.text);
  });
  await capture.sent("sent/undo-like", since, b, shape("Undo", "Like"));
  await drain(a, b);

  since = await step(async () => {
    const res = await api(a, lea.token).post("/reports", {
      postId: replyOnA.id,
      reason: "Hors sujet",
    });
    assert.equal(res.status, 201, res.text);
  });
  await capture.sent("sent/flag", since, b, shape("Flag"));
  await drain(a, b);

  // B's admin locks and reopens the topic, then removes Bob's answer.
  for (const [action, reason] of [
    ["lock", "Sortie complète"],
    ["unlock", "Sortie maintenue"],
  ] as const) {
    since = await step(async () => {
      const res = await api(b).post(`/topics/${topicOnB.id}/${action}`, { reason });
      assert.equal(res.status, 204, res.text);
    });
    const match = action === "lock" ? shape("Announce", "Lock") : shape("Announce", "Undo", "Lock");
    await capture.sent(`sent/announce-${action === "lock" ? "" : "undo-"}lock`, since, a, match);
    await drain(a, b);
  }
  since = await step(async () => {
    const res = await api(b).post(`/posts/${reply}/removal`, { reason: "Doublon" });
    assert.equal(res.status, 204, res.text);
  });
  await capture.sent("sent/announce-delete", since, a, shape("Announce", "Delete"));
  await drain(a, b);

  // Hugo of A follows the group and is banned from it for a week.
  const hugoFollows = await api(a, hugo.token).post("/groups/follow", {
    target: `@randonnee@${b.host}`,
  });
  assert.equal(hugoFollows.status, 201, hugoFollows.text);
  await followers(2);
  await drain(a, b);
  since = await step(async () => {
    const res = await api(b).post("/groups/randonnee/bans", {
      username: `hugo@${a.host}`,
      days: 7,
      reason: "Propos insultants",
    });
    assert.equal(res.status, 201, res.text);
  });
  await capture.sent("sent/block", since, a, shape("Block"));
  await drain(a, b);
  // Banned, Hugo leaves and asks to follow again: the group refuses.
  const hugoLeaves = await api(a, hugo.token).delete(`/groups/${remoteGroup}/membership`);
  assert.equal(hugoLeaves.status, 204, hugoLeaves.text);
  await followers(1);
  since = await step(async () => {
    const res = await api(a, hugo.token).post("/groups/follow", {
      target: `@randonnee@${b.host}`,
    });
    assert.equal(res.status, 201, res.text);
  });
  await capture.sent("sent/reject-follow-group", since, a, shape("Reject", "Follow"));
  await drain(a, b);

  since = await step(async () => {
    const res = await supertest(b.url)
      .put("/api/v1/groups/randonnee")
      .set("authorization", `Bearer ${b.admin.token}`)
      .send({ name: "Randonnée et montagne", visibility: "public" });
    assert.equal(res.status, 200, res.text);
  });
  await capture.sent(
    "sent/update-group",
    since,
    a,
    (body) => shape("Update")(body) && typeof body.object === "string",
  );
  await drain(a, b);

  since = await step(async () => {
    const res = await api(a, lea.token).delete(`/groups/${remoteGroup}/membership`);
    assert.equal(res.status, 204, res.text);
  });
  await capture.sent("sent/undo-follow-group", since, b, shape("Undo", "Follow"));
  await drain(a, b);

  // In A's own group, which nobody on B follows, Léa's mention of Bob reaches him directly.
  const garden = await api(a).post("/groups", {
    name: "Jardinage",
    slug: "jardin",
    visibility: "public",
  });
  assert.equal(garden.status, 201, garden.text);
  since = await step(async () => {
    const res = await api(a, lea.token).post(`/groups/${garden.body.id}/topics`, {
      title: "Semis de tomates",
      content: `Des conseils, @bob@${b.host} ?`,
    });
    assert.equal(res.status, 201, res.text);
    labels.set(res.body.id as string, "garden-topic");
  });
  await capture.sent("sent/create-page-mention", since, b, shape("Create", "Page"));
}
