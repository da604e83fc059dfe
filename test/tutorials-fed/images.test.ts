// The pictures of a tutorial received from another instance are shown inline from our own copies
// (ADR 0119): its cover and every step image, with their alt text, at /media/<key>; the page never
// points at the other server. A `network` tutorial's pictures are served to signed fetches of
// allowed instances only, and our copy job signs its fetches with the instance actor's key.
import assert from "node:assert/strict";
import supertest from "supertest";
import { mediaKey, wantMedia } from "../../federation/media/media.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { csrfFrom } from "../support/web.ts";
import {
  drain,
  followCmcas,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "../federation/harness.ts";
import {
  addStep,
  newTutorial,
  photo,
  publish,
  stepIds,
  uploadStepImage,
} from "../tutorials/support.ts";

describe(`federation: a remote tutorial's pictures from our copies (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    // C allows A, A does not allow C: C's signed fetches are refused.
    net = await startNetwork({ a: ["b"], b: ["a"], c: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("shows the cover and the step images inline with their alt text through /media", async () => {
    const { a, b } = net as Required<Network>;
    await followCmcas(b!, a!);
    const agent = await loggedIn(a!.instance, await createMember(a!.instance, "member", "auteur"));
    const id = await newTutorial(a!.instance, agent, {
      title: "Un nichoir à mésanges",
      summary: "Six planches",
    });
    const edit = await agent.get(`/tutorials/${id}/edit`);
    const cover = await agent
      .post(`/tutorials/${id}/cover`)
      .field("_csrf", csrfFrom(edit.text))
      .field("alt", "Le nichoir fini, accroché à un chêne")
      .attach("image", await photo({ r: 20, g: 160, b: 60 }), {
        filename: "nichoir.jpg",
        contentType: "image/jpeg",
      });
    assert.equal(cover.status, 303, cover.text);
    await addStep(agent, id, "Couper", "Six planches.");
    await addStep(agent, id, "Assembler", "Vis inox.");
    const steps = await stepIds(a!.instance, id);
    for (const [n, alt] of [
      [0, "Six planches découpées"],
      [1, "Le toit vissé"],
    ] as const) {
      const up = await uploadStepImage(agent, id, steps[n]!.id, alt, await photo());
      assert.equal(up.status, 303, up.text);
    }
    assert.equal((await publish(agent, id)).status, 303);

    const row = await waitFor("the tutorial on B", () =>
      b!.instance.ctx.db
        .selectFrom("tutorials")
        .select(["id", "remote_images"])
        .where("remote_uri", "=", `${a!.url}/tutorials/${id}`)
        .executeTakeFirst(),
    );
    const images = row.remote_images;
    assert.deepEqual(
      images.map((image) => [image.alt, image.cover === true]),
      [
        ["Le nichoir fini, accroché à un chêne", true],
        ["Six planches découpées", false],
        ["Le toit vissé", false],
      ],
    );
    const paths = images.map((image) => `/media/${mediaKey(image.url, "picture")}`);
    assert.deepEqual(
      images.map((image) => image.media),
      paths,
    );

    // Copies are made by B's job, from A.
    await waitFor("B's copies", async () => {
      const rows = await b!.instance.ctx.db
        .selectFrom("federation_media")
        .select("state")
        .where(
          "key",
          "in",
          paths.map((p) => p.slice("/media/".length)),
        )
        .execute();
      return rows.length === 3 && rows.every((r) => r.state === "ready");
    });
    for (const path of paths) {
      const res = await supertest(b!.url).get(path).buffer(true);
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-type"], "image/webp");
    }

    const reader = await loggedIn(b!.instance, await createMember(b!.instance, "member", "lect"));
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const print of [false, true]) {
      const page = await reader.get(`/tutorials/${row.id}${print ? "/print" : ""}`);
      assert.equal(page.status, 200);
      assert.match(
        page.text,
        new RegExp(
          `<figure class="tuto-cover"><img src="${esc(paths[0]!)}" alt="Le nichoir fini, accroché à un chêne">`,
        ),
      );
      assert.match(
        page.text,
        new RegExp(`<img src="${esc(paths[1]!)}" alt="Six planches découpées" loading="lazy" />`),
      );
      assert.match(
        page.text,
        new RegExp(`<img src="${esc(paths[2]!)}" alt="Le toit vissé" loading="lazy" />`),
      );
      // Nothing of A's host as a picture, nor as the old links to the photos.
      assert.doesNotMatch(page.text, new RegExp(`<img[^>]+src="${esc(a!.url)}`));
      assert.doesNotMatch(page.text, /tuto-remote-image/);
    }
    // The library's card shows the cover too.
    const library = await reader.get("/tutorials");
    assert.match(
      library.text,
      new RegExp(`<img class="tuto-card__cover" src="${esc(paths[0]!)}" alt=""`),
    );
    await drain(a!, b!);
  });

  it("copies a network tutorial's pictures with a signed fetch, refused to others", async () => {
    const { a, b, c } = net as Required<Network>;
    await followCmcas(b!, a!);
    const agent = await loggedIn(a!.instance, await createMember(a!.instance, "member", "reseau"));
    const id = await newTutorial(a!.instance, agent, {
      title: "Des confitures pour le réseau",
      visibility: "network",
    });
    await addStep(agent, id, "Cueillir", "Loin des routes.");
    const [step] = await stepIds(a!.instance, id);
    const up = await uploadStepImage(agent, id, step!.id, "Un panier de mûres", await photo());
    assert.equal(up.status, 303, up.text);
    assert.equal((await publish(agent, id)).status, 303);

    const row = await waitFor("the network tutorial on B", () =>
      b!.instance.ctx.db
        .selectFrom("tutorials")
        .select(["id", "remote_images"])
        .where("remote_uri", "=", `${a!.url}/tutorials/${id}`)
        .executeTakeFirst(),
    );
    const [image] = row.remote_images;
    assert.equal(image?.alt, "Un panier de mûres");
    // A serves the picture to its members only, not to an unsigned request.
    assert.equal((await supertest(a!.url).get(new URL(image!.url).pathname)).status, 404);

    const key = mediaKey(image!.url, "picture");
    const state = (peer: typeof b) =>
      peer!.instance.ctx.db
        .selectFrom("federation_media")
        .select(["state", "error"])
        .where("key", "=", key)
        .executeTakeFirst();
    const copied = await waitFor("B's signed copy", async () => {
      const media = await state(b);
      return media && media.state !== "pending" ? media : undefined;
    });
    assert.deepEqual(copied, { state: "ready", error: null });
    const served = await supertest(b!.url).get(`/media/${key}`).buffer(true);
    assert.equal(served.status, 200);
    assert.equal(served.headers["content-type"], "image/webp");
    const reader = await loggedIn(b!.instance, await createMember(b!.instance, "member", "lect2"));
    const page = await reader.get(`/tutorials/${row.id}`);
    assert.match(page.text, new RegExp(`<img src="/media/${key}" alt="Un panier de mûres"`));

    // C signs too, but A does not federate with C: the same picture is refused to it.
    await wantMedia(c!.instance.ctx, image!.url, "picture");
    const refused = await waitFor("C's refused copy", async () => {
      const media = await state(c);
      return media && media.state !== "pending" ? media : undefined;
    });
    assert.deepEqual(refused, { state: "failed", error: "status" });
    await drain(a!, b!, c!);
  });
});
