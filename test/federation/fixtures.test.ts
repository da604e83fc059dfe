// Payloads published by other fediverse software (../shared/fixtures/mobilizon, read in place):
// parsed with Fedify's vocabulary, then handled by our own code as if they had arrived.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Accept, Application, Create, Follow, Note, Person } from "@fedify/vocab";
import { remoteActorFromVocab, saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import type { FederationRuntime } from "../../federation/runtime.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { fixturesDir } from "../support/fixtures.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { unescapeHtml } from "../support/web.ts";

const FIXTURES = fixturesDir("mobilizon");

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES!, name), "utf8")) as Record<string, unknown>;
}

describe("federation: payloads of Mastodon and Gancio", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  let runtime: FederationRuntime;

  before(async function () {
    if (!FIXTURES) {
      console.log("    (skipped: ../shared/fixtures/mobilizon is absent beside the checkout)");
      this.skip();
    }
    instance = await startTestInstance({
      env: { FEDERATION_ALLOWED_DOMAINS: "framapiaf.org,demo.gancio.org,mobilizon.test" },
    });
    runtime = instance.federation;
  });
  after(() => instance?.destroy());

  /** Parsing offline: every context these payloads use is preloaded by Fedify. */
  const loaders = () => {
    const context = runtime.context();
    return { documentLoader: context.documentLoader, contextLoader: context.contextLoader };
  };

  it("reads a Mastodon Person and a Gancio Application and shows their profiles", async () => {
    const mastodon = await Person.fromJsonLd(fixture("mastodon-actor.json"), loaders());
    assert.equal(mastodon.id?.href, "https://framapiaf.org/users/peertube");
    const gancio = await Application.fromJsonLd(fixture("gancio-actor.json"), loaders());
    assert.equal(gancio.inboxId?.href, "https://demo.gancio.org/federation/u/gancio/inbox");

    const viewer = await createMember(instance);
    const agent = await loggedIn(instance, viewer);
    const pages: string[] = [];
    for (const [actor, name, handle] of [
      [mastodon, "PeerTube", "@peertube@framapiaf.org"],
      [gancio, "gancio", "@gancio@demo.gancio.org"],
    ] as const) {
      const input = await remoteActorFromVocab(actor);
      assert.ok(input, handle);
      const saved = await saveRemoteActor(instance.ctx.db, input);
      assert.equal(saved.handle, handle);
      const page = await agent.get(`/federation/actors/${saved.id}`);
      assert.equal(page.status, 200);
      const text = unescapeHtml(page.text);
      assert.ok(text.includes(`<h1>${name}</h1>`), name);
      assert.ok(text.includes(handle));
      pages.push(text);
    }
    const peertube = pages[0]!;
    // Mastodon's summary keeps its link, loses its classes and target.
    assert.ok(peertube.includes('href="https://framacolibri.org/c/peertube"'));
    assert.ok(!peertube.includes('class="invisible"'));
    assert.ok(!peertube.includes('target="_blank"'));
  });

  it("reads a Mastodon Follow", async () => {
    const follow = await Follow.fromJsonLd(fixture("mastodon-follow-activity.json"), loaders());
    assert.equal(follow.actorId?.href, "https://social.tcit.fr/users/tcit");
    assert.equal(follow.objectId?.href, "http://localtesting.pleroma.lol/users/lain");
  });

  it("matches a Mastodon Accept (embedded Follow) to the follow it answers", async () => {
    const accept = await Accept.fromJsonLd(fixture("mastodon-accept-activity.json"), loaders());
    const followed = await saveRemoteActor(instance.ctx.db, {
      uri: "http://mobilizon.test/@thomas0",
      host: "mobilizon.test",
      type: "Person",
      username: "thomas0",
      name: "Thomas",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: "http://mobilizon.test/@thomas0/inbox",
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    const pending = await saveFollow(instance.ctx.db, {
      localActor: "cmcas",
      localUserId: null,
      remoteActorId: followed.id,
      direction: "outgoing",
      state: "pending",
      activityId: "http://mobilizon.test/follows/fdfds",
    });
    assert.deepEqual(await runtime.receive(accept), ["follows.accept"]);
    const row = await instance.ctx.db
      .selectFrom("federation_follows")
      .select("state")
      .where("id", "=", pending.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.state, "accepted");
  });

  it("keeps a Mastodon Create(Note), notifies followers and shows it sanitized", async () => {
    const create = await Create.fromJsonLd(fixture("mastodon-post-activity.json"), loaders());
    const note = await create.getObject(loaders());
    assert.ok(note instanceof Note);
    const author = await saveRemoteActor(instance.ctx.db, {
      uri: "https://framapiaf.org/users/admin",
      host: "framapiaf.org",
      type: "Person",
      username: "admin",
      name: "Admin Framapiaf",
      summary: "",
      url: "https://framapiaf.org/@admin",
      iconUrl: null,
      inbox: "https://framapiaf.org/users/admin/inbox",
      sharedInbox: "https://framapiaf.org/inbox",
      outbox: null,
      followersUrl: null,
    });
    const follower = await createMember(instance);
    await saveFollow(instance.ctx.db, {
      localActor: follower.user.id,
      localUserId: follower.user.id,
      remoteActorId: author.id,
      direction: "outgoing",
      state: "accepted",
      activityId: "http://localhost/activities/test-follow",
    });
    // Neither a forum post nor an offer's message: a followed person's note.
    assert.deepEqual(await runtime.receive(create), ["notes.note"]);

    const notice = await instance.ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", follower.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(notice.kind, "federation:newPost");
    const page = await (await loggedIn(instance, follower)).get(notice.link!);
    const text = unescapeHtml(page.text);
    assert.ok(text.includes('href="https://framapiaf.org/users/tcit"'), text);
    assert.ok(
      text.includes('<details class="content-warning"><summary>cw '),
      "the content warning is shown, the text folded behind it",
    );
    assert.ok(!text.includes('class="u-url mention"'));
    assert.ok(text.includes('datetime="2018-02-12T14:08:20.000Z"'));
  });
});
