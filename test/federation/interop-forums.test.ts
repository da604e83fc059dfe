// Forum and link-aggregator software, received live from a peer on loopback: a followed category
// (a Group, as NodeBB publishes one) announces its topics, shaped as that software sends them.
import assert from "node:assert/strict";
import sharp from "sharp";
import { mediaKey } from "../../federation/media/media.ts";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { unescapeHtml } from "../support/web.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
type Json = Record<string, unknown>;

describe("federation: topics of forum and link-aggregator software", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;
  let category: string;
  let author: string;

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    // NodeBB: categories are Groups, users Persons, both with the ActivityStreams context alone.
    category = await peer.actor(
      "/category/3",
      { type: "Group", preferredUsername: "entraide", name: "Entraide" },
      AS,
    );
    author = await peer.actor("/uid/9", { type: "Person", preferredUsername: "lea" }, AS);
    const actor = await saveRemoteActor(instance.ctx.db, {
      uri: category,
      host: peer.host,
      type: "Group",
      username: "entraide",
      name: "Entraide",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `${category}/inbox`,
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    await saveRemoteGroup(instance.ctx.db, actor);
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  /** The category relays a topic, as FEP-1b12 groups do. */
  const announce = async (object: Json) => {
    const res = await peer.post(
      `${instance.url}/inbox`,
      {
        "@context": AS,
        id: `${category}/announce/${crypto.randomUUID()}`,
        type: "Announce",
        actor: category,
        to: [PUBLIC],
        cc: [`${category}/followers`],
        object: {
          id: `${object.id as string}#create`,
          type: "Create",
          actor: author,
          to: [PUBLIC],
          cc: [category],
          object: {
            attributedTo: author,
            audience: category,
            to: [PUBLIC],
            cc: [category],
            ...object,
          },
        },
      },
      category,
    );
    assert.equal(res.status, 202, await res.text());
    return waitFor("the topic", async () =>
      instance.ctx.db
        .selectFrom("forum_posts as p")
        .innerJoin("forum_topics as t", "t.id", "p.topic_id")
        .select(["t.id", "t.title"])
        .where("p.ap_id", "=", object.id as string)
        .executeTakeFirst(),
    );
  };
  const page = async (path: string) => {
    const res = await (await loggedIn(instance, await createMember(instance))).get(path);
    assert.equal(res.status, 200, path);
    return unescapeHtml(res.text);
  };

  it("shows a remote author's avatar through our sized copy, with alt text, else the initial", async () => {
    const icon = `${peer.url}/avatars/zoe.png`;
    const body = await sharp({
      create: { width: 300, height: 200, channels: 3, background: { r: 30, g: 90, b: 160 } },
    })
      .png()
      .toBuffer();
    peer.files.set("/avatars/zoe.png", { type: "image/png", body });
    const zoe = await peer.actor(
      "/uid/12",
      {
        type: "Person",
        preferredUsername: "zoe",
        name: "Zoé",
        icon: { type: "Image", mediaType: "image/png", url: icon },
      },
      AS,
    );
    const id = `${peer.url}/post/77`;
    const res = await peer.post(
      `${instance.url}/inbox`,
      {
        "@context": AS,
        id: `${category}/announce/${crypto.randomUUID()}`,
        type: "Announce",
        actor: category,
        to: [PUBLIC],
        cc: [`${category}/followers`],
        object: {
          id: `${id}#create`,
          type: "Create",
          actor: zoe,
          to: [PUBLIC],
          cc: [category],
          object: {
            id,
            type: "Page",
            name: "Atelier réparation de vélos",
            content: "<p>Samedi au local.</p>",
            attributedTo: zoe,
            audience: category,
            to: [PUBLIC],
            cc: [category],
          },
        },
      },
      category,
    );
    assert.equal(res.status, 202, await res.text());
    const topic = await waitFor("zoe's topic", async () =>
      instance.ctx.db
        .selectFrom("forum_posts")
        .select("topic_id")
        .where("ap_id", "=", id)
        .executeTakeFirst(),
    );
    await announce({
      id: `${peer.url}/post/78`,
      type: "Note",
      inReplyTo: id,
      content: "<p>J'apporte des rustines.</p>",
    });
    const path = `/media/${mediaKey(icon, "avatar")}`;
    // The first view asks for the copy and shows the initial; once made, the picture.
    const first = await page(`/topics/${topic.topic_id}`);
    assert.ok(!first.includes(path), "no copy yet");
    assert.match(first, /<span class="avatar" aria-hidden="true">Z<\/span>/);
    await waitFor("the avatar's copy", async () => {
      const row = await instance.ctx.db
        .selectFrom("federation_media")
        .select("state")
        .where("key", "=", mediaKey(icon, "avatar"))
        .executeTakeFirst();
      return row?.state === "ready";
    });
    const html = await page(`/topics/${topic.topic_id}`);
    assert.ok(
      html.includes(
        `<img class="avatar" src="${path}" width="32" height="32" alt="Avatar de Zoé (@zoe@`,
      ),
      html,
    );
    // The replying author has no icon: the initial, as for members of ours without a picture.
    assert.match(html, /<span class="avatar" aria-hidden="true">L<\/span>/);
    const copy = await (await loggedIn(instance, await createMember(instance))).get(path);
    assert.equal(copy.status, 200);
    assert.match(String(copy.headers["content-type"]), /^image\//);
  });

  it("titles a topic sent as a Note with a name, and links to its original page", async () => {
    const id = `${peer.url}/post/41`;
    const topic = await announce({
      id,
      type: "Note",
      name: "Covoiturage pour la sortie",
      content: "<p>Quelqu'un part de Nantes samedi ?</p>",
      url: `${peer.url}/topic/12/covoiturage-pour-la-sortie`,
    });
    assert.equal(topic.title, "Covoiturage pour la sortie");
    const html = await page(`/topics/${topic.id}`);
    assert.ok(html.includes(`href="${peer.url}/topic/12/covoiturage-pour-la-sortie"`));
  });

  it("titles a microblog post by its first words, without the mentions it opens with", async () => {
    const topic = await announce({
      id: `${peer.url}/statuses/77`,
      type: "Note",
      content: `<p><span class="h-card"><a href="${category}" class="u-url mention">@<span>entraide</span></a></span> <span class="h-card"><a href="${author}" class="u-url mention">@<span>lea</span></a></span> Qui a une remorque à prêter samedi ?</p>`,
    });
    assert.equal(topic.title, "Qui a une remorque à prêter samedi ?");
  });

  it("keeps the link of a link post sent in `url`", async () => {
    const topic = await announce({
      id: `${peer.url}/post/42`,
      type: "Page",
      name: "Un article à lire",
      content: "<p>Intéressant pour les retraités.</p>",
      url: "https://journal.example/article/123",
    });
    assert.equal(topic.title, "Un article à lire");
    const html = await page(`/topics/${topic.id}`);
    assert.ok(html.includes('href="https://journal.example/article/123"'));
    // Without a page of its own, the post links to its id on its server.
    assert.ok(html.includes(`href="${peer.url}/post/42"`));
  });

  it("shows an author's own deletion, relayed by the category, as theirs and not as moderation", async () => {
    const id = `${peer.url}/post/43`;
    const topic = await announce({ id, type: "Note", name: "Annulé", content: "<p>Réponse</p>" });
    const res = await peer.post(
      `${instance.url}/inbox`,
      {
        "@context": AS,
        id: `${category}/announce/${crypto.randomUUID()}`,
        type: "Announce",
        actor: category,
        to: [PUBLIC],
        object: { id: `${id}#delete`, type: "Delete", actor: author, to: [PUBLIC], object: id },
      },
      category,
    );
    assert.equal(res.status, 202, await res.text());
    await waitFor("the deletion", async () => {
      const row = await instance.ctx.db
        .selectFrom("forum_posts")
        .select("removed_at")
        .where("ap_id", "=", id)
        .executeTakeFirstOrThrow();
      return row.removed_at !== null;
    });
    const html = await page(`/topics/${topic.id}`);
    assert.ok(html.includes("supprimé par son auteur"));
    assert.ok(!html.includes("retiré par la modération"));
  });
});
