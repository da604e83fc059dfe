// Lemmy's own payloads (../shared/fixtures/lemmy, read in place): each is parsed with Fedify's
// vocabulary, handed to our forums code as if it had arrived, and its result checked on the pages
// and in the API. They carry no @context; the ActivityStreams one is added, as Lemmy sends it.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  Accept,
  type Activity,
  Announce,
  Create,
  Delete,
  Flag,
  Group,
  Note,
  OrderedCollection,
  Page,
  Person,
} from "@fedify/vocab";
import {
  remoteActorFromVocab,
  saveRemoteActor,
  type RemoteActor,
} from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { mediaKey } from "../../federation/media/media.ts";
import { storeCollection } from "../../federation/forums/follow-groups.ts";
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { remoteGroup } from "../../federation/forums/inbound-shared.ts";
import { applyGroupActivity } from "../../federation/forums/remote-groups.ts";
import type { FederationRuntime } from "../../federation/runtime.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { forumMember } from "../forums/helpers.ts";
import { fixturesDir } from "../support/fixtures.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { unescapeHtml } from "../support/web.ts";

const FIXTURES = fixturesDir("lemmy");
type Json = Record<string, unknown>;

/** As published (no @context): how an activity looks embedded in a community's Announce. */
function bare(name: string): Json {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES!, name), "utf8")) as Json;
}

function fixture(name: string): Json {
  return { "@context": "https://www.w3.org/ns/activitystreams", ...bare(name) };
}

describe("forums federation: Lemmy payloads", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  let runtime: FederationRuntime;

  before(async function () {
    if (!FIXTURES) {
      console.log("    (skipped: ../shared/fixtures/lemmy is absent beside the checkout)");
      this.skip();
    }
    instance = await startTestInstance({
      env: { FEDERATION_ALLOWED_DOMAINS: "enterprise.lemmy.ml,ds9.lemmy.ml,lemmy-alpha:8541" },
    });
    runtime = instance.federation;
  });
  after(() => instance?.destroy());

  const loaders = () => {
    const context = runtime.context();
    return { documentLoader: context.documentLoader, contextLoader: context.contextLoader };
  };
  /** Handled as the inbox does; the routes that took it. */
  const receive = (activity: Activity) => runtime.receive(activity);

  /** An actor known already (as after a first fetch), so that nothing is fetched offline. */
  const actor = (uri: string, type = "Person"): Promise<RemoteActor> => {
    const url = new URL(uri);
    return saveRemoteActor(instance.ctx.db, {
      uri,
      host: url.host,
      type,
      username: url.pathname.split("/").pop()!,
      name: url.pathname.split("/").pop()!,
      summary: "",
      url: uri,
      iconUrl: null,
      inbox: `${uri}/inbox`,
      sharedInbox: null,
      outbox: `${uri}/outbox`,
      followersUrl: null,
    });
  };
  const groupOf = async (uri: string) => {
    await saveRemoteGroup(instance.ctx.db, await actor(uri, "Group"));
    return (await remoteGroup(instance.ctx.db, uri))!;
  };
  const page = async (path: string) => {
    const viewer = await createMember(instance);
    const res = await (await loggedIn(instance, viewer)).get(path);
    assert.equal(res.status, 200, path);
    return unescapeHtml(res.text);
  };
  /** How a community relays its moderators' actions to followers. */
  const announced = (groupUri: string, object: Json) =>
    Announce.fromJsonLd(
      {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${groupUri}/activities/announce/${crypto.randomUUID()}`,
        type: "Announce",
        actor: groupUri,
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        object,
      },
      loaders(),
    );
  const topicIdOf = async (apId: string) =>
    (
      await instance.ctx.db
        .selectFrom("forum_posts")
        .select(["topic_id", "removed_at", "removal_reason"])
        .where("ap_id", "=", apId)
        .executeTakeFirstOrThrow()
    ).topic_id;

  it("community (Group), post (Page) and comment (Note) are shown as a group, a topic and a reply", async () => {
    const group = await Group.fromJsonLd(fixture("objects_group.json"), loaders());
    const input = await remoteActorFromVocab(group);
    assert.ok(input);
    const saved = await saveRemoteGroup(
      instance.ctx.db,
      await saveRemoteActor(instance.ctx.db, input),
    );
    assert.equal(saved.slug, "tenforward@enterprise.lemmy.ml");
    const person = await Person.fromJsonLd(fixture("objects_person.json"), loaders());
    await saveRemoteActor(instance.ctx.db, (await remoteActorFromVocab(person))!);

    const row = (await remoteGroup(instance.ctx.db, "https://enterprise.lemmy.ml/c/tenforward"))!;
    const post = await Page.fromJsonLd(fixture("objects_page.json"), loaders());
    const comment = await Note.fromJsonLd(fixture("objects_comment.json"), loaders());
    for (const object of [post, comment])
      assert.ok(await applyGroupActivity(runtime, runtime.context(), row, object, row.ap_id!));

    const groupPage = await page("/groups/tenforward@enterprise.lemmy.ml");
    assert.ok(groupPage.includes("<h1>Ten Forward</h1>"));
    assert.ok(groupPage.includes("@tenforward@enterprise.lemmy.ml"));
    assert.ok(groupPage.includes("Post title"));
    const topicPage = await page(
      `/topics/${await topicIdOf("https://enterprise.lemmy.ml/post/55143")}`,
    );
    assert.ok(topicPage.includes("This is a post in the /c/tenforward community"));
    // The post's picture (a Link attachment to its `image`) is shown inline, through our own
    // copy (issue 16 item 8), never hot-linked.
    const picture = mediaKey("https://enterprise.lemmy.ml/pictrs/image/eOtYb9iEiB.png", "picture");
    assert.ok(topicPage.includes(`<img src="/media/${picture}" alt="" loading="lazy" />`));
    assert.ok(!topicPage.includes("https://enterprise.lemmy.ml/pictrs/"));
    assert.ok(topicPage.includes("first comment!"));
    assert.ok(topicPage.includes("Jean-Luc Picard"));
  });

  it("Announce(Create(Page)) from a followed community stores and shows the topic", async () => {
    await groupOf("http://enterprise.lemmy.ml/c/main");
    await actor("http://enterprise.lemmy.ml/u/lemmy_beta");
    const announce = await Announce.fromJsonLd(
      fixture("activities_community_announce_create_page.json"),
      loaders(),
    );
    assert.equal(announce.actorId?.href, "http://enterprise.lemmy.ml/c/main");
    assert.deepEqual(await receive(announce), ["forums.group-announce"]);
    const groupPage = await page("/groups/main@enterprise.lemmy.ml");
    assert.ok(groupPage.includes("post 4"));
  });

  it("a member's direct Create to a followed community is left to the community's Announce", async () => {
    // These fixtures name the community with https (the Announce above uses http).
    const create = await Create.fromJsonLd(
      fixture("activities_create_or_update_create_page.json"),
      loaders(),
    );
    await groupOf("https://enterprise.lemmy.ml/c/main");
    assert.deepEqual(await receive(create), ["forums.post"]);
    const kept = await instance.ctx.db
      .selectFrom("forum_posts")
      .select("id")
      .where("ap_id", "=", "http://ds9.lemmy.ml/post/1")
      .executeTakeFirst();
    assert.equal(kept, undefined);
  });

  it("a moderator's Delete with a reason, announced by the community, removes the comment and logs why", async () => {
    const group = await groupOf("https://enterprise.lemmy.ml/c/main");
    await actor("http://ds9.lemmy.ml/u/lemmy_alpha");
    for (const name of [
      "activities_create_or_update_create_page.json",
      "activities_create_or_update_create_comment.json",
    ]) {
      const create = await Create.fromJsonLd(fixture(name), loaders());
      await applyGroupActivity(runtime, runtime.context(), group, create, group.ap_id!);
    }
    const topicId = await topicIdOf("http://ds9.lemmy.ml/comment/1");
    assert.ok((await page(`/topics/${topicId}`)).includes("hello"));

    // Sent directly by someone who is not known as a moderator, it is refused; announced by the
    // community (as Lemmy relays moderators' actions), it applies.
    const json = fixture("activities_deletion_remove_note.json");
    const del = await Delete.fromJsonLd(json, loaders());
    assert.deepEqual(await receive(del), []);
    const comment = () =>
      instance.ctx.db
        .selectFrom("forum_posts")
        .select(["removed_at", "removal_reason"])
        .where("ap_id", "=", "http://ds9.lemmy.ml/comment/1")
        .executeTakeFirstOrThrow();
    assert.equal((await comment()).removed_at, null);
    const embedded = bare("activities_deletion_remove_note.json");
    assert.deepEqual(await receive(await announced(group.ap_id!, embedded)), [
      "forums.group-announce",
    ]);
    assert.equal((await comment()).removal_reason, "bad comment");
    assert.ok(!(await page(`/topics/${topicId}`)).includes("hello"));
    const log = await page(`/groups/${group.slug}/moderation`);
    assert.ok(log.includes("bad comment"));

    // Lemmy restores it with an Undo of that removal, announced by the community.
    const undo = {
      id: "http://enterprise.lemmy.ml/activities/undo/3",
      type: "Undo",
      actor: embedded.actor,
      object: embedded,
      summary: "restored after appeal",
    };
    assert.deepEqual(await receive(await announced(group.ap_id!, undo)), ["forums.group-announce"]);
    assert.equal((await comment()).removed_at, null);
    assert.ok((await page(`/topics/${topicId}`)).includes("hello"));
    assert.ok((await page(`/groups/${group.slug}/moderation`)).includes("restored after appeal"));
  });

  it("Lock and Undo(Lock), announced by the community, lock and reopen the topic", async () => {
    const group = await groupOf("http://lemmy-alpha:8541/c/main");
    await actor("http://lemmy-alpha:8541/u/lemmy_alpha");
    const post = new Page({
      id: new URL("http://lemmy-alpha:8541/post/2"),
      attribution: new URL("http://lemmy-alpha:8541/u/lemmy_alpha"),
      name: "Sujet à verrouiller",
      content: "<p>Texte</p>",
    });
    await applyGroupActivity(runtime, runtime.context(), group, post, group.ap_id!);
    const topicId = await topicIdOf("http://lemmy-alpha:8541/post/2");
    const json = bare("activities_community_lock_page.json");
    assert.deepEqual(await receive(await announced(group.ap_id!, json)), ["forums.group-announce"]);
    const locked = await instance.ctx.db
      .selectFrom("forum_topics")
      .select("locked_at")
      .where("id", "=", topicId)
      .executeTakeFirstOrThrow();
    assert.ok(locked.locked_at);
    assert.ok(
      (await page("/groups/main@lemmy-alpha:8541/moderation")).includes("A reason for the lock"),
    );

    const undo = {
      id: "http://lemmy-alpha:8541/activities/undo/1",
      type: "Undo",
      actor: json.actor,
      object: json,
      summary: "Reopened",
    };
    assert.deepEqual(await receive(await announced(group.ap_id!, undo)), ["forums.group-announce"]);
    const reopened = await instance.ctx.db
      .selectFrom("forum_topics")
      .select("locked_at")
      .where("id", "=", topicId)
      .executeTakeFirstOrThrow();
    assert.equal(reopened.locked_at, null);
  });

  it("a Lemmy report (Flag) about one of our posts lands in the group's moderation queue", async () => {
    const staff = await forumMember(instance, "staff");
    const group = await staff.api.post("/groups", { name: "Entraide", visibility: "public" });
    assert.equal(group.status, 201, group.text);
    const opened = await staff.api.post(`/groups/${group.body.id}/topics`, {
      title: "Question",
      content: "Bonjour",
    });
    assert.equal(opened.status, 201, opened.text);
    // Lemmy's payload, aimed at a post of ours (the topic's URL is its Page's id).
    const json = fixture("activities_community_report_page.json");
    const flag = await Flag.fromJsonLd({ ...json, object: opened.body.url }, loaders());
    assert.deepEqual(await receive(flag), ["forums.flag"]);
    const queue = await staff.agent.get(`/groups/${group.body.slug}/reports`);
    assert.equal(queue.status, 200);
    assert.ok(unescapeHtml(queue.text).includes("report this post"));
  });

  it("a community outbox is backfilled, and Lemmy's Accept of a member's Follow is matched", async () => {
    const group = await groupOf("https://ds9.lemmy.ml/c/testcom");
    await actor("https://ds9.lemmy.ml/u/nutomic");
    const outbox = await OrderedCollection.fromJsonLd(
      fixture("collections_group_outbox.json"),
      loaders(),
    );
    assert.equal(await storeCollection(runtime, runtime.context(), group, outbox), 2);
    const groupPage = await page("/groups/testcom@ds9.lemmy.ml");
    assert.ok(groupPage.includes("outbox test"));
    assert.ok(groupPage.includes("another outbox test"));

    const community = await groupOf("http://enterprise.lemmy.ml/c/main");
    const follower = await createMember(instance);
    const remote = await instance.ctx.db
      .selectFrom("federation_remote_actors")
      .select("id")
      .where("uri", "=", community.ap_id!)
      .executeTakeFirstOrThrow();
    await saveFollow(instance.ctx.db, {
      localActor: follower.user.id,
      localUserId: follower.user.id,
      remoteActorId: remote.id,
      direction: "outgoing",
      state: "pending",
      activityId: "http://ds9.lemmy.ml/activities/follow/6abcd50b-b8ca-4952-86b0-a6dd8cc12866",
    });
    const accept = await Accept.fromJsonLd(fixture("activities_following_accept.json"), loaders());
    assert.equal(accept.actorId?.href, community.ap_id);
    assert.deepEqual(await receive(accept), ["follows.accept"]);
  });
});
