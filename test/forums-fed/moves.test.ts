// Issue 16 item 18 (moves): a topic moved between two groups of B goes out as a `Move` announced
// by each group; on A, the copy follows it into A's entry for the target group when A follows it
// too, leaves the origin's entry otherwise, and a topic moved into a followed group from one A
// does not follow is fetched. Two instances on loopback.
import assert from "node:assert/strict";
import { api, startNetwork, stopNetwork, waitFor, type Network } from "../federation/harness.ts";
import { followGroupOfB, openTopicOnB } from "./support.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("forums federation: topics moved between groups", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("moves A's copy to the followed target, hides it when the target is not followed, fetches one moved in", async () => {
    const a = net.a!;
    const b = net.b!;
    const x = await followGroupOfB(a, b, a.admin.token, { name: "Vélo", slug: "velo" });
    const y = await followGroupOfB(a, b, a.admin.token, { name: "Rando", slug: "rando" });
    const z = await api(b).post("/groups", {
      name: "Divers",
      slug: "divers",
      visibility: "public",
    });
    assert.equal(z.status, 201, z.text);
    const copyOnA = (uri: string) =>
      a.instance.ctx.db
        .selectFrom("forum_posts as p")
        .innerJoin("forum_topics as t", "t.id", "p.topic_id")
        .select(["t.group_id", "t.removed_at"])
        .where("p.ap_id", "=", uri)
        .executeTakeFirst();
    const move = async (topicId: string, groupId: string, reason: string) => {
      const res = await api(b).post(`/topics/${topicId}/move`, { groupId, reason });
      assert.ok(res.status < 300, res.text);
    };

    // Both groups followed: A's copy goes to A's entry for the target.
    const first = await openTopicOnB(a, b, a.admin.token, x, {
      title: "Sortie en forêt",
      content: "Plutôt à pied qu'à vélo",
    });
    await move(first.onB, y.onB, "Se fait à pied");
    await waitFor("the topic in Rando on A", async () => {
      const copy = await copyOnA(`${b.url}/topics/${first.onB}`);
      return copy?.group_id === y.onA && copy.removed_at === null;
    });
    const log = await api(a).get(`/groups/${y.onA}/moderation-log`);
    assert.ok((log.body.items as Json[]).some((e) => e.reason === "Se fait à pied"));
    // What went out: a Move by each group, origin and target named.
    const moves = (
      await b.instance.ctx.db
        .selectFrom("federation_outbox")
        .select(["actor", "activity"])
        .where("activity_type", "=", "Announce")
        .execute()
    )
      .map((r) => ({
        actor: r.actor,
        object: ((typeof r.activity === "string" ? JSON.parse(r.activity) : r.activity) as Json)
          .object as Json,
      }))
      .filter((r) => r.object?.type === "Move");
    assert.deepEqual(moves.map((m) => m.actor).sort(), ["rando", "velo"]);
    assert.equal(moves[0]!.object.origin, `${b.url}/users/velo`);
    assert.equal(moves[0]!.object.target, `${b.url}/users/rando`);
    assert.equal(moves[0]!.object.object, `${b.url}/topics/${first.onB}`);

    // To a group A does not follow: the topic leaves Vélo on A.
    const second = await openTopicOnB(a, b, a.admin.token, x, {
      title: "Vends sacoches",
      content: "Peu servies",
    });
    await move(second.onB, z.body.id as string, "Petites annonces");
    await waitFor("the topic gone from Vélo on A", async () => {
      const copy = await copyOnA(`${b.url}/topics/${second.onB}`);
      return copy?.group_id === x.onA && copy.removed_at !== null;
    });

    // From a group A does not follow into Rando: A fetches it.
    const third = await api(b).post(`/groups/${z.body.id as string}/topics`, {
      title: "Carte des sentiers",
      content: "Mise à jour 2026",
    });
    assert.equal(third.status, 201, third.text);
    assert.equal(await copyOnA(`${b.url}/topics/${third.body.id as string}`), undefined);
    await move(third.body.id as string, y.onB, "Concerne la rando");
    await waitFor("the topic fetched into Rando on A", async () => {
      const copy = await copyOnA(`${b.url}/topics/${third.body.id as string}`);
      return copy?.group_id === y.onA;
    });
  });
});
