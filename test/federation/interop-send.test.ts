// What we send to other software, seen from their side: two peers on loopback (test/support/
// fake-peer.ts) follow one of our groups; one of them is where a member's post comes from.
import assert from "node:assert/strict";
import { forumMember, type ForumMember } from "../forums/helpers.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;

describe("federation: what other software receives from our groups", function () {
  this.timeout(120_000);
  let nodebb: FakePeer;
  let mastodon: FakePeer;
  let instance: TestInstance;
  let staff: ForumMember;
  let group: { id: string; slug: string; actor: string };
  let julie: string;
  let bob: string;

  before(async () => {
    nodebb = await FakePeer.start();
    mastodon = await FakePeer.start();
    instance = await startTestInstance({
      env: {
        FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
        FEDERATION_ALLOWED_DOMAINS: `${nodebb.host},${mastodon.host}`,
      },
    });
    staff = await forumMember(instance, "staff");
    const created = await staff.api.post("/groups", { name: "Randonnée", visibility: "public" });
    assert.equal(created.status, 201, created.text);
    group = {
      id: created.body.id,
      slug: created.body.slug,
      actor: `${instance.url}/users/${created.body.slug}`,
    };
    julie = await nodebb.actor("/uid/1", { type: "Person", preferredUsername: "julie" }, AS);
    bob = await mastodon.actor("/users/bob", { type: "Person", preferredUsername: "bob" });
    for (const [peer, actor] of [
      [nodebb, julie],
      [mastodon, bob],
    ] as const) {
      const res = await peer.post(
        `${instance.url}/inbox`,
        {
          "@context": AS,
          id: `${actor}/follow/${crypto.randomUUID()}`,
          type: "Follow",
          actor,
          object: group.actor,
        },
        actor,
      );
      assert.equal(res.status, 202, await res.text());
      await waitFor("the group's Accept", async () =>
        peer.received.some((r) => r.body?.type === "Accept"),
      );
    }
  });
  after(async () => {
    await instance?.destroy();
    await nodebb?.close();
    await mastodon?.close();
  });

  const deliveries = (host: string) =>
    instance.ctx.db
      .selectFrom("federation_deliveries")
      .select(["activity_type", "activity_id", "status", "attempts", "last_error"])
      .where("host", "=", host)
      .execute();

  it("announces a remote member's post to every follower but its own server", async () => {
    const post = `${nodebb.url}/post/${crypto.randomUUID()}`;
    const res = await nodebb.post(
      `${instance.url}/inbox`,
      {
        "@context": AS,
        id: `${post}#create`,
        type: "Create",
        actor: julie,
        to: [PUBLIC],
        cc: [group.actor],
        object: {
          id: post,
          type: "Page",
          name: "Sortie au lac",
          content: "<p>Qui vient samedi ?</p>",
          attributedTo: julie,
          audience: group.actor,
          to: [PUBLIC],
          cc: [group.actor],
        },
      },
      julie,
    );
    assert.equal(res.status, 202, await res.text());
    const relayed = await waitFor("the Announce at the other follower", async () =>
      mastodon.received.find(
        (r) => r.body?.type === "Announce" && typeof r.body.object === "object",
      ),
    );
    assert.equal((relayed.body!.object as { id?: string }).id, `${post}#create`);
    // Also the bare post, by its id, for microblog software (which drops Announce of an
    // activity): a boost of the post there (issue 16 item 13).
    const bare = await waitFor("the Announce of the bare post", async () =>
      mastodon.received.find((r) => r.body?.type === "Announce" && r.body.object === post),
    );
    assert.equal(bare.body!.actor, group.actor);
    assert.ok(([bare.body!.to].flat() as string[]).includes(PUBLIC));
    // Neither Announce went to the author's server: it never gets its own post back.
    assert.ok(!nodebb.received.some((r) => r.body?.type === "Announce"));
    assert.ok(!(await deliveries(nodebb.host)).some((d) => d.activity_type.endsWith("Announce")));
  });

  it("gives up at once on a permanent refusal instead of retrying for two days", async () => {
    mastodon.inboxStatus = () => 424;
    try {
      const known = new Set((await deliveries(mastodon.host)).map((d) => d.activity_id));
      const opened = await staff.api.post(`/groups/${group.id}/topics`, {
        title: "Refusé là-bas",
        content: "Bonjour",
      });
      assert.equal(opened.status, 201, opened.text);
      const fresh = async () =>
        (await deliveries(mastodon.host)).filter((d) => !known.has(d.activity_id));
      // Every delivery of the new topic (the group's announces) abandoned, on a busy machine
      // too: the second may still be on its first try when the first is given up.
      const dead = await waitFor("the deliveries to be abandoned", async () => {
        const list = await fresh();
        return list.length > 0 && list.every((d) => d.status === "dead") ? list : undefined;
      });
      for (const d of dead) {
        assert.equal(d.attempts, 1);
        assert.match(d.last_error ?? "", /424/);
      }
      // Nothing more is sent after the first retry would have gone (3 s later).
      const refused = () => mastodon.received.filter((r) => r.status === 424).length;
      const before = refused();
      await new Promise((r) => setTimeout(r, 4_500));
      assert.equal(refused(), before);
      assert.deepEqual(
        (await fresh()).map((d) => [d.status, d.attempts]),
        dead.map(() => ["dead", 1]),
      );
    } finally {
      mastodon.inboxStatus = () => 202;
    }
  });

  it("rejects, with the reason, a remote post the group refuses", async () => {
    const changed = await staff.api.put(`/groups/${group.id}`, {
      name: "Randonnée",
      visibility: "public",
      postPolicy: "moderators",
      joinPolicy: "open",
    });
    assert.equal(changed.status, 200, changed.text);
    const post = `${nodebb.url}/post/${crypto.randomUUID()}`;
    const create = {
      "@context": AS,
      id: `${post}#create`,
      type: "Create",
      actor: julie,
      to: [PUBLIC],
      cc: [group.actor],
      object: {
        id: post,
        type: "Page",
        name: "Sujet refusé",
        content: "<p>Bonjour</p>",
        attributedTo: julie,
        audience: group.actor,
        to: [PUBLIC],
      },
    };
    assert.equal((await nodebb.post(`${instance.url}/inbox`, create, julie)).status, 202);
    const reject = await waitFor("the group's Reject", async () =>
      nodebb.received.find((r) => r.body?.type === "Reject"),
    );
    assert.equal(reject.body!.actor, group.actor);
    const object = reject.body!.object;
    assert.equal(typeof object === "string" ? object : (object as { id: string }).id, create.id);
    assert.match(String(reject.body!.summary), /modérateurs/);
    assert.match(String(reject.body!.content), /modérateurs/);
  });

  it("deletes a removed topic's context (FEP-7888) for software that removes threads by context", async () => {
    const opened = await staff.api.post(`/groups/${group.id}/topics`, {
      title: "À retirer",
      content: "Texte",
    });
    assert.equal(opened.status, 201, opened.text);
    const topic = await staff.api.get(`/topics/${opened.body.id}`);
    const first = (topic.body.posts as { id: string }[])[0]!;
    const removed = await staff.api.post(`/posts/${first.id}/removal`, { reason: "Hors charte" });
    assert.equal(removed.status, 204, removed.text);
    const context = `${instance.url}/topics/${opened.body.id}/context`;
    const del = await waitFor("the Delete of the context", async () =>
      mastodon.received.find((r) => r.body?.type === "Delete" && r.body.object === context),
    );
    assert.equal(del.body!.actor, group.actor);
    assert.equal(del.body!.summary, "Hors charte");
  });

  it("records the peer's real answer, not the one to the signature scheme retried after it", async () => {
    // A peer that refuses the activity itself (424) when it reads the first signature, and
    // answers 400 to the other scheme Fedify retries with.
    mastodon.inboxStatus = (_path, _body, headers) => (headers["signature-input"] ? 424 : 400);
    const deadBefore = new Set(
      (await deliveries(mastodon.host))
        .filter((d) => d.status === "dead")
        .map((d) => d.activity_id),
    );
    try {
      const opened = await staff.api.post(`/groups/${group.id}/topics`, {
        title: "Deux réponses",
        content: "Bonjour",
      });
      assert.equal(opened.status, 201, opened.text);
      const dead = await waitFor("the delivery to be abandoned", async () =>
        (await deliveries(mastodon.host)).find(
          (d) => d.status === "dead" && !deadBefore.has(d.activity_id),
        ),
      );
      // Whichever scheme went first (Fedify remembers what a peer accepted), 424 is reported.
      assert.match(dead.last_error ?? "", /^HTTP 424 \(400 to the other signature scheme\)|\(424 /);
      assert.ok(
        !/\(400 Bad Request\)/.test(dead.last_error ?? "") || /^HTTP 424/.test(dead.last_error!),
      );
    } finally {
      mastodon.inboxStatus = () => 202;
    }
  });
});
