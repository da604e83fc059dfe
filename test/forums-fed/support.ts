// The opening most forum federation tests share: B hosts a public group, a member of A follows
// it, and B's moderator opens a topic that reaches A.
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, waitFor, type Peer } from "../federation/harness.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** B creates the group `slug`; the member of A with `token` follows it and B accepts. */
export async function followGroupOfB(
  a: Peer,
  b: Peer,
  token: string,
  group: { name: string; slug: string },
): Promise<{ onB: string; onA: string }> {
  const created = await api(b).post("/groups", { ...group, visibility: "public" });
  assert.equal(created.status, 201, created.text);
  const followed = await api(a, token).post("/groups/follow", {
    target: `@${group.slug}@${b.host}`,
  });
  assert.equal(followed.status, 201, followed.text);
  await waitFor("B's group to accept A's member", async () => {
    const page = await supertest(b.url)
      .get(`/users/${group.slug}/followers`)
      .set("accept", "application/activity+json");
    return page.body.totalItems === 1;
  });
  // A's member is a member once B's Accept arrived (pending until then).
  await waitFor("A to hear B's Accept", async () => {
    const group = await api(a, token).get(`/groups/${followed.body.id as string}`);
    return group.body.membership === "active";
  });
  return { onB: created.body.id as string, onA: followed.body.id as string };
}

/** B's admin opens a topic in its group; resolves once A (seen by `token`) lists it. */
export async function openTopicOnB(
  a: Peer,
  b: Peer,
  token: string,
  group: { onB: string; onA: string },
  topic: { title: string; content: string },
): Promise<{ onB: string; onA: Json }> {
  const opened = await api(b).post(`/groups/${group.onB}/topics`, topic);
  assert.equal(opened.status, 201, opened.text);
  const onA = await waitFor("the topic on A", async () => {
    const list = await api(a, token).get(`/groups/${group.onA}/topics`);
    return (list.body.items as Json[]).find((t) => t.title === topic.title);
  });
  return { onB: opened.body.id as string, onA };
}
