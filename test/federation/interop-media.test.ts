// Remote pictures (issue 16 item 8): attachments of a followed person's posts and the avatar and
// banner of remote actors are shown through our own copy, made by a job that fetches the picture
// from the peer (a fake peer on loopback serving a real PNG), checks and re-encodes it.
import assert from "node:assert/strict";
import sharp from "sharp";
import request from "supertest";
import { fetchRemoteActor, saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { mediaKey } from "../../federation/media/media.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } },
  })
    .png()
    .toBuffer();
}

describe("federation: remote pictures through our own copy", function () {
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

  const mediaRow = (url: string, size: "picture" | "avatar" | "banner") =>
    instance.ctx.db
      .selectFrom("federation_media")
      .selectAll()
      .where("key", "=", mediaKey(url, size))
      .executeTakeFirst();
  const settled = async (url: string, size: "picture" | "avatar" | "banner") =>
    waitFor(`the copy of ${url}`, async () => {
      const row = await mediaRow(url, size);
      return row && row.state !== "pending" ? row : undefined;
    });

  /** A person a member follows, as Mastodon publishes one (avatar `icon`, banner `image`). */
  async function followedPerson(name: string) {
    const member = await createMember(instance);
    const actor = await peer.actor(`/users/${name}`, {
      type: "Person",
      preferredUsername: name,
      name,
      icon: { type: "Image", mediaType: "image/png", url: `${peer.url}/avatars/${name}.png` },
      image: { type: "Image", mediaType: "image/png", url: `${peer.url}/headers/${name}.png` },
    });
    const remote = await saveRemoteActor(instance.ctx.db, {
      uri: actor,
      host: peer.host,
      type: "Person",
      username: name,
      name,
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `${actor}/inbox`,
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    await saveFollow(instance.ctx.db, {
      localActor: member.user.id,
      localUserId: member.user.id,
      remoteActorId: remote.id,
      direction: "outgoing",
      state: "accepted",
      activityId: `${instance.url}/activities/${crypto.randomUUID()}`,
    });
    return { member, actor, remote };
  }

  const create = (actor: string, object: Record<string, unknown>) => {
    const id = `${actor}/statuses/${crypto.randomUUID()}`;
    return {
      "@context": AS,
      id: `${id}/activity`,
      type: "Create",
      actor,
      to: [`${AS}#Public`],
      object: { id, attributedTo: actor, to: [`${AS}#Public`], ...object },
    };
  };

  it("shows a Mastodon post's picture inline with its alt text, from a re-encoded copy", async () => {
    const { member, actor, remote } = await followedPerson("ines");
    const pictureUrl = `${peer.url}/media/photo.png`;
    peer.files.set("/media/photo.png", { type: "image/png", body: await png(2000, 1000) });
    // Mastodon's attachment: a Document with an image media type, the alt text in `name`.
    const activity = create(actor, {
      type: "Note",
      content: "<p>Le lac ce matin</p>",
      attachment: [
        {
          type: "Document",
          mediaType: "image/png",
          url: pictureUrl,
          name: "Un lac sous la brume",
          blurhash: "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
          width: 2000,
          height: 1000,
        },
      ],
    });
    assert.equal((await peer.post(`${instance.url}/inbox`, activity, actor)).status, 202);

    const copy = await settled(pictureUrl, "picture");
    assert.equal(copy.state, "ready", copy.error ?? "");
    // Fitted in the picture box, aspect kept.
    assert.deepEqual([copy.width, copy.height, copy.content_type], [1280, 640, "image/webp"]);
    assert.ok(peer.received.some((r) => r.method === "GET" && r.path === "/media/photo.png"));

    const path = `/media/${mediaKey(pictureUrl, "picture")}`;
    const served = await request(instance.url).get(path).buffer(true);
    assert.equal(served.status, 200);
    assert.equal(served.headers["content-type"], "image/webp");
    const meta = await sharp(served.body as Buffer).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["webp", 1280, 640]);

    const page = await (await loggedIn(instance, member)).get(`/federation/actors/${remote.id}`);
    assert.equal(page.status, 200);
    assert.ok(
      page.text.includes(`<img src="${path}" alt="Un lac sous la brume" loading="lazy">`),
      "the picture is shown inline with its alt text",
    );
    // Never a link to, nor an image from, the peer's file.
    assert.ok(!page.text.includes(pictureUrl));
  });

  it("shows a remote person's avatar and banner once the job has copied them", async () => {
    const { member, remote, actor } = await followedPerson("yann");
    peer.files.set("/avatars/yann.png", { type: "image/png", body: await png(400, 300) });
    peer.files.set("/headers/yann.png", { type: "image/png", body: await png(1800, 600) });
    // The actor document as fetched (icon and banner kept with it).
    const runtime = instance.federation;
    const fetched = await runtime.withOutgoing(() =>
      fetchRemoteActor(instance.ctx.db, runtime.context(), actor),
    );
    assert.equal(fetched?.imageUrl, `${peer.url}/headers/yann.png`);

    const agent = await loggedIn(instance, member);
    // First visit: the copies are asked for (not fetched by the request), the initial shows.
    const first = await agent.get(`/federation/actors/${remote.id}`);
    assert.match(first.text, /<span class="avatar avatar--large" aria-hidden="true">Y<\/span>/);
    const avatar = await settled(`${peer.url}/avatars/yann.png`, "avatar");
    const banner = await settled(`${peer.url}/headers/yann.png`, "banner");
    assert.deepEqual([avatar.state, avatar.width, avatar.height], ["ready", 256, 256]);
    assert.deepEqual([banner.state, banner.width, banner.height], ["ready", 1500, 500]);

    const second = await agent.get(`/federation/actors/${remote.id}`);
    const avatarPath = `/media/${mediaKey(`${peer.url}/avatars/yann.png`, "avatar")}`;
    const bannerPath = `/media/${mediaKey(`${peer.url}/headers/yann.png`, "banner")}`;
    assert.match(second.text, new RegExp(`<img class="avatar avatar--large" src="${avatarPath}"`));
    assert.match(second.text, new RegExp(`<img class="remote-banner" src="${bannerPath}"`));
  });

  it("refuses what is not a picture, or too large, and keeps the alt text in its place", async () => {
    const { actor } = await followedPerson("zoe");
    peer.files.set("/media/page.png", { type: "text/html", body: Buffer.from("<html></html>") });
    peer.files.set("/media/fake.png", { type: "image/png", body: Buffer.from("not a png at all") });
    const huge = Buffer.alloc(9_000_000);
    (await png(10, 10)).copy(huge);
    peer.files.set("/media/huge.png", { type: "image/png", body: huge });
    const urls = ["page", "fake", "huge"].map((n) => `${peer.url}/media/${n}.png`);
    const activity = create(actor, {
      type: "Note",
      content: "<p>Trois images</p>",
      attachment: urls.map((url, i) => ({
        type: "Image",
        mediaType: "image/png",
        url,
        name: `image ${i}`,
      })),
    });
    assert.equal((await peer.post(`${instance.url}/inbox`, activity, actor)).status, 202);
    const rows = await Promise.all(urls.map((url) => settled(url, "picture")));
    assert.deepEqual(
      rows.map((r) => [r.state, r.error]),
      [
        ["failed", "type"],
        ["failed", "type"],
        ["failed", "tooLarge"],
      ],
    );
    const missing = await request(instance.url).get(`/media/${mediaKey(urls[0]!, "picture")}`);
    assert.equal(missing.status, 404);
  });

  it("shows a Video a followed PeerTube channel announces, and a followed person's Article, as link cards", async () => {
    // An actor a member follows announces a PeerTube video by its id (as a channel shares its
    // videos); the Video is fetched from its server (shape from PeerTube's documentation). The
    // same person then publishes a blog post (an Article).
    const { member, actor: channel, remote } = await followedPerson("chaine_rando");
    const video = `${peer.url}/videos/watch/5b8c6a5e-07a1-4e0b-9d5b-2f1e8c1a6f11`;
    peer.files.set("/lazy-static/thumbnails/rando.jpg", {
      type: "image/jpeg",
      body: await sharp({
        create: { width: 560, height: 315, channels: 3, background: { r: 30, g: 120, b: 60 } },
      })
        .jpeg()
        .toBuffer(),
    });
    peer.documents.set("/videos/watch/5b8c6a5e-07a1-4e0b-9d5b-2f1e8c1a6f11", {
      "@context": [AS, { pt: "https://joinpeertube.org/ns#", uuid: "sc:identifier" }],
      type: "Video",
      id: video,
      name: "Randonnée au lac d'Allos",
      duration: "PT4M12S",
      uuid: "5b8c6a5e-07a1-4e0b-9d5b-2f1e8c1a6f11",
      content: "Une boucle de 12 km autour du lac, accessible aux familles.",
      mediaType: "text/markdown",
      published: "2026-11-30T09:00:00Z",
      icon: [
        {
          type: "Image",
          url: `${peer.url}/lazy-static/thumbnails/rando.jpg`,
          mediaType: "image/jpeg",
          width: 560,
          height: 315,
        },
      ],
      url: [
        { type: "Link", mediaType: "text/html", href: `${peer.url}/w/kq3d7` },
        {
          type: "Link",
          mediaType: "video/mp4",
          href: `${peer.url}/static/web-videos/rando-720.mp4`,
        },
      ],
      attributedTo: [
        { type: "Person", id: `${peer.url}/accounts/claire` },
        { type: "Group", id: channel },
      ],
      to: [`${AS}#Public`],
      cc: [`${channel}/followers`],
    });
    const announce = {
      "@context": AS,
      id: `${channel}/announces/1`,
      type: "Announce",
      actor: channel,
      object: video,
      to: [`${AS}#Public`],
      cc: [`${channel}/followers`],
    };
    assert.equal((await peer.post(`${instance.url}/inbox`, announce, channel)).status, 202);

    // A followed person's blog post (WordPress' shape: an Article with a title and a summary).
    const article = create(channel, {
      type: "Article",
      name: "Nos conseils pour marcher l'hiver",
      summary: "<p>Chaussures, couches, horaires : ce qu'il faut savoir.</p>",
      content: "<p>Le texte complet de l'article.</p>",
      url: `${peer.url}/2026/12/marcher-l-hiver/`,
    });
    assert.equal((await peer.post(`${instance.url}/inbox`, article, channel)).status, 202);

    const kept = await waitFor("both cards kept", async () => {
      const rows = await instance.ctx.db
        .selectFrom("federation_remote_notes")
        .select(["uri", "kind", "name", "url", "image_url"])
        .where("actor_id", "=", remote.id)
        .orderBy("kind", "desc")
        .execute();
      return rows.length === 2 ? rows : undefined;
    });
    assert.deepEqual(
      kept.map((r) => [r.kind, r.name, r.url]),
      [
        ["Video", "Randonnée au lac d'Allos", `${peer.url}/w/kq3d7`],
        ["Article", "Nos conseils pour marcher l'hiver", `${peer.url}/2026/12/marcher-l-hiver/`],
      ],
    );
    const agent = await loggedIn(instance, member);
    await agent.get(`/federation/actors/${remote.id}`); // asks for the thumbnail's copy
    const thumb = await settled(`${peer.url}/lazy-static/thumbnails/rando.jpg`, "picture");
    assert.equal(thumb.state, "ready", thumb.error ?? "");
    const page = (await agent.get(`/federation/actors/${remote.id}`)).text;
    const cards = [...page.matchAll(/<div class="link-card">([^]*?)<\/div>/g)].map((m) => m[1]!);
    const card = cards.find((c) => c.includes("Randonnée")) ?? "";
    assert.match(card, /Vidéo/);
    assert.match(
      card,
      new RegExp(`<a href="${peer.url}/w/kq3d7"[^>]*>Randonnée au lac d&#x27;Allos</a>`),
    );
    assert.match(card, /Une boucle de 12 km/);
    assert.ok(
      card.includes(
        `src="/media/${mediaKey(`${peer.url}/lazy-static/thumbnails/rando.jpg`, "picture")}"`,
      ),
    );
    assert.match(page, /Nos conseils pour marcher l&#x27;hiver<\/a>[^]*?Chaussures, couches/);
  });
});
