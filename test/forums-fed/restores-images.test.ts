// Issue 16 item 18 (restores, images): a post's uploaded image goes out as an `Image` attachment
// with its alt text, as Lemmy and NodeBB send them, and shows on the other instance through its
// own copy; a removed post restored by B's moderator goes out as the group's `Undo` of its
// `Delete` and shows again on A. Two instances on loopback.
import assert from "node:assert/strict";
import supertest from "supertest";
import { loggedIn } from "../support/accounts.ts";
import { csrfFrom } from "../support/web.ts";
import { api, startNetwork, stopNetwork, waitFor, type Network } from "../federation/harness.ts";
import { followGroupOfB, openTopicOnB } from "./support.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

describe("forums federation: images and restorations", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  const announced = async (peer: Network[string], actor: string) =>
    (
      await peer.instance.ctx.db
        .selectFrom("federation_outbox")
        .select("activity")
        .where("actor", "=", actor)
        .where("activity_type", "=", "Announce")
        .orderBy("id")
        .execute()
    ).map((r) => (typeof r.activity === "string" ? JSON.parse(r.activity) : r.activity) as Json);

  it("a topic's image reaches A as an Image attachment with its alt text, shown through A's copy", async () => {
    const a = net.a!;
    const b = net.b!;
    const group = await followGroupOfB(a, b, a.admin.token, { name: "Photos", slug: "photos" });
    const agent = await loggedIn(b.instance, b.admin);
    const form = await agent.get(`/groups/photos/topics/new`);
    const sent = await agent
      .post(`/groups/photos/topics/new`)
      .field("_csrf", csrfFrom(form.text))
      .field("title", "Lever de soleil")
      .field("content", "Depuis le col.")
      .field("imageDescription", "Le soleil se lève derrière les crêtes")
      .attach("image", PNG, "soleil.png");
    assert.equal(sent.status, 303, sent.text);

    // The group's Announce is written by a job after commit.
    const create = await waitFor("the group's Announce of the Create", async () =>
      (await announced(b, "photos"))
        .map((x) => x.object)
        .find((x: Json) => x?.type === "Create" && x.object?.name === "Lever de soleil"),
    );
    const [image] = [create?.object?.attachment].flat() as Json[];
    assert.equal(image?.type, "Image");
    assert.equal(image?.name, "Le soleil se lève derrière les crêtes");
    assert.equal(image?.mediaType, "image/png");
    assert.match(image?.url, new RegExp(`^${b.url}/forums/media/[0-9a-f-]+$`));
    // Other servers fetch it unsigned: a public group's picture is served to anyone.
    const fetched = await supertest(image!.url).get("");
    assert.equal(fetched.status, 200);

    const topic = await waitFor("the topic on A", async () => {
      const list = await api(a).get(`/groups/${group.onA}/topics`);
      return (list.body.items as Json[]).find((t) => t.title === "Lever de soleil");
    });
    const shown = await api(a).get(`/topics/${topic.id as string}`);
    const content = shown.body.posts[0].content as string;
    const src =
      /<img src="(\/media\/[0-9a-f]+)"[^>]*alt="Le soleil se lève derrière les crêtes"/.exec(
        content,
      )?.[1];
    assert.ok(src, content);
    // A makes its own copy (federation.media); the page never links B's file.
    assert.ok(!content.includes(b.url + "/forums/media"));
    await waitFor("A's copy of the picture", async () => {
      const res = await supertest(a.url).get(src);
      return res.status === 200 && res.headers["content-type"] === "image/webp";
    });
  });

  it("a reply removed then restored by B's moderator is hidden then shown again on A", async () => {
    const a = net.a!;
    const b = net.b!;
    const group = await followGroupOfB(a, b, a.admin.token, { name: "Cuisine", slug: "cuisine" });
    const topic = await openTopicOnB(a, b, a.admin.token, group, {
      title: "Tarte aux myrtilles",
      content: "La recette de ma grand-mère",
    });
    const reply = await api(b).post(`/topics/${topic.onB}/replies`, {
      content: "Avec de la crème fraîche",
    });
    assert.equal(reply.status, 201, reply.text);
    const postId = reply.body.id as string;
    const onA = () =>
      a.instance.ctx.db
        .selectFrom("forum_posts")
        .select(["removed_at", "content_html"])
        .where("ap_id", "=", `${b.url}/posts/${postId}`)
        .executeTakeFirst();
    await waitFor("the reply on A", async () => (await onA()) !== undefined);

    const removed = await api(b).post(`/posts/${postId}/removal`, { reason: "Hors sujet" });
    assert.equal(removed.status, 204, removed.text);
    await waitFor("the removal on A", async () => (await onA())?.removed_at !== null);

    const restored = await api(b).post(`/posts/${postId}/restoration`, {
      reason: "Retirée par erreur",
    });
    assert.equal(restored.status, 204, restored.text);
    await waitFor("the restoration on A", async () => (await onA())?.removed_at === null);
    assert.match((await onA())!.content_html, /crème fraîche/);
    // What went out: the group's Announce of an Undo of its Delete, the reason as summary.
    const undo = await waitFor("the group's Announce of the Undo", async () =>
      (await announced(b, "cuisine")).map((x) => x.object).find((x: Json) => x?.type === "Undo"),
    );
    assert.equal(undo?.summary, "Retirée par erreur");
    assert.equal(undo?.object?.type, "Delete");
    assert.equal(undo?.object?.object, `${b.url}/posts/${postId}`);
    // A's moderation log says why.
    const log = await api(a).get(`/groups/${group.onA}/moderation-log`);
    assert.ok(
      (log.body.items as Json[]).some(
        (e) => e.action === "restore" && e.reason === "Retirée par erreur",
      ),
      JSON.stringify(log.body),
    );
  });

  it("a topic removed then restored by B's moderator is listed again on A, its context undeleted", async () => {
    const a = net.a!;
    const b = net.b!;
    const group = await followGroupOfB(a, b, a.admin.token, { name: "Vélo", slug: "velo" });
    const title = "Sortie du dimanche";
    const topic = await openTopicOnB(a, b, a.admin.token, group, { title, content: "Départ 9 h" });
    const opening = await b.instance.ctx.db
      .selectFrom("forum_posts")
      .select("id")
      .where("topic_id", "=", topic.onB)
      .where("position", "=", 1)
      .executeTakeFirstOrThrow();
    const listedOnA = async () =>
      ((await api(a, a.admin.token).get(`/groups/${group.onA}/topics`)).body.items as Json[]).some(
        (t) => t.title === title,
      );
    const removed = await api(b).post(`/posts/${opening.id}/removal`, { reason: "Doublon" });
    assert.equal(removed.status, 204, removed.text);
    await waitFor("the topic gone from A's list", async () => !(await listedOnA()));

    const restored = await api(b).post(`/posts/${opening.id}/restoration`, {
      reason: "Pas un doublon",
    });
    assert.equal(restored.status, 204, restored.text);
    await waitFor("the topic listed again on A", listedOnA);
    // What the group sent for peers that drop a thread by its context: the Undo of the context's
    // Delete, and its author's Create of the opening post again (announced).
    const context = `${b.url}/topics/${topic.onB}/context`;
    const outbox = await b.instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["activity_type", "activity"])
      .where("actor", "=", "velo")
      .orderBy("id")
      .execute();
    const sent = outbox.map(
      (r) => (typeof r.activity === "string" ? JSON.parse(r.activity) : r.activity) as Json,
    );
    const undo = sent.find((x) => x.type === "Undo" && x.object?.object === context);
    assert.ok(undo, JSON.stringify(sent.map((x) => x.type)));
    assert.equal(undo.object.type, "Delete");
    assert.equal(undo.summary, "Pas un doublon");
    const creates = sent.filter(
      (x) =>
        x.type === "Announce" &&
        x.object?.type === "Create" &&
        x.object?.object?.id === `${b.url}/topics/${topic.onB}`,
    );
    assert.equal(creates.length, 2, "the Create at opening, and again at the restoration");
  });
});
