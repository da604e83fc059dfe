// What other software POSTs to our inbox, as it sends it: a peer on loopback (test/support/
// fake-peer.ts) serves actors shaped as that software publishes them and signs its activities.
import assert from "node:assert/strict";
import { LITEPUB } from "../../federation/contexts.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { api, drain, tokenFor, waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("federation: inbox payloads of other software", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  const follow = (actor: string, context: unknown) => ({
    "@context": context,
    id: `${actor}/follows/${crypto.randomUUID()}`,
    type: "Follow",
    actor,
    object: `${instance.url}/users/cmcas`,
  });

  it("verifies an actor whose only context is ActivityStreams (forum software) and accepts its Follow", async () => {
    // NodeBB publishes its users with the ActivityStreams context alone, key included.
    const actor = await peer.actor("/uid/7", { type: "Person", preferredUsername: "julie" }, AS);
    const res = await peer.post(`${instance.url}/inbox`, follow(actor, AS), actor);
    assert.equal(res.status, 202, await res.text());
    const accept = await waitFor("the Accept", async () =>
      peer.received.find((r) => r.path === "/uid/7/inbox" && r.body?.type === "Accept"),
    );
    assert.equal((accept.body!.object as { actor: string }).actor, actor);
  });

  it("reads an activity naming the LitePub context without fetching it", async () => {
    // Pleroma, Akkoma and Mobilizon name LitePub's context; its host is not reachable here.
    const actor = await peer.actor("/users/lain", { type: "Person", preferredUsername: "lain" }, [
      AS,
      LITEPUB,
    ]);
    const res = await peer.post(`${instance.url}/inbox`, follow(actor, [AS, LITEPUB]), actor);
    assert.equal(res.status, 202, await res.text());
    await waitFor("the Accept", async () =>
      peer.received.find((r) => r.path === "/users/lain/inbox" && r.body?.type === "Accept"),
    );
  });

  it("answers a clean 400, not a 500, when a context the activity names cannot be loaded", async () => {
    const actor = await peer.actor("/users/odd", { type: "Person", preferredUsername: "odd" });
    for (const context of [`${peer.url}/missing-context.jsonld`, "http://127.0.0.1:9/ctx.jsonld"]) {
      const res = await peer.post(`${instance.url}/inbox`, follow(actor, [AS, context]), actor);
      assert.equal(res.status, 400, context);
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.match(((await res.json()) as { detail: string }).detail, /could not be loaded/);
    }
  });

  const note = (actor: string, content: string, tag: unknown[] = []) => {
    const id = `${actor}/statuses/${crypto.randomUUID()}`;
    return {
      "@context": AS,
      id: `${id}/activity`,
      type: "Create",
      actor,
      to: [`${AS}#Public`],
      object: { id, type: "Note", attributedTo: actor, content, to: [`${AS}#Public`], tag },
    };
  };
  const keptNote = (uri: string) =>
    instance.ctx.db
      .selectFrom("federation_remote_notes")
      .select("uri")
      .where("uri", "=", uri)
      .executeTakeFirst();

  it("tells a member mentioned by a microblog post outside any group, and ignores notes nobody asked for", async () => {
    const member = await createMember(instance);
    const token = await tokenFor(instance, member);
    const visible = await api({ url: instance.url } as never, token).patch("/me", {
      discoverable: true,
    });
    assert.equal(visible.status, 200, visible.text);
    const actor = await peer.actor("/users/ana", { type: "Person", preferredUsername: "ana" });
    const memberActor = `${instance.url}/users/${member.user.id}`;

    // Nobody here follows Ana: her ordinary note is not kept.
    const plain = note(actor, "<p>Bonjour le monde</p>");
    assert.equal((await peer.post(`${instance.url}/inbox`, plain, actor)).status, 202);
    const mention = note(actor, `<p><a href="${memberActor}">@membre</a> tu viens ?</p>`, [
      { type: "Mention", href: memberActor, name: `@membre@${new URL(instance.url).host}` },
    ]);
    assert.equal((await peer.post(`${instance.url}/inbox`, mention, actor)).status, 202);
    const told = await waitFor("the mention's notification", () =>
      instance.ctx.db
        .selectFrom("notifications")
        .select(["kind", "data"])
        .where("user_id", "=", member.user.id)
        .where("kind", "=", "federation:mentioned")
        .executeTakeFirst(),
    );
    assert.match(JSON.stringify(told.data), /tu viens/);
    await drain({ instance });
    // Kept (it names a member here); the plain one was not.
    assert.ok(await keptNote(mention.object.id));
    assert.equal(await keptNote(plain.object.id), undefined);
  });

  it("keeps the posts of a followed person, folds those with a content warning, and lists them in the API", async () => {
    const member = await createMember(instance);
    const token = await tokenFor(instance, member);
    const actor = await peer.actor("/users/lou", { type: "Person", preferredUsername: "lou" });
    const remote = await saveRemoteActor(instance.ctx.db, {
      uri: actor,
      host: peer.host,
      type: "Person",
      username: "lou",
      name: "Lou",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `${actor}/inbox`,
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    const followed = await saveFollow(instance.ctx.db, {
      localActor: member.user.id,
      localUserId: member.user.id,
      remoteActorId: remote.id,
      direction: "outgoing",
      state: "accepted",
      activityId: `${instance.url}/activities/${crypto.randomUUID()}`,
    });
    const warned = note(actor, "<p>La fin du film : tout le monde survit.</p>");
    Object.assign(warned.object, { summary: "Spoiler du film", sensitive: true });
    assert.equal((await peer.post(`${instance.url}/inbox`, warned, actor)).status, 202);
    await waitFor("the post kept", () => keptNote(warned.object.id));

    const posts = await api({ url: instance.url } as never, token).get(
      `/follows/${followed.id}/posts`,
    );
    assert.equal(posts.status, 200, posts.text);
    assert.deepEqual(
      (posts.body as { id: string; contentWarning: string | null; content: string }[]).map((p) => [
        p.id,
        p.contentWarning,
        /survit/.test(p.content),
      ]),
      [[warned.object.id, "Spoiler du film", true]],
    );
    // Someone else's follow is not theirs to read.
    const other = await tokenFor(instance, await createMember(instance));
    const refused = await api({ url: instance.url } as never, other).get(
      `/follows/${followed.id}/posts`,
    );
    assert.equal(refused.status, 404);

    // On the page, the text stays folded behind its warning until opened (no script needed).
    const page = await (await loggedIn(instance, member)).get(`/federation/actors/${remote.id}`);
    assert.match(
      page.text,
      /<details class="content-warning"><summary>Spoiler du film[^]*?<\/summary>[^]*?survit[^]*?<\/details>/,
    );
  });
});
