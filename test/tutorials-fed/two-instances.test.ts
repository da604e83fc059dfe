// Two instances on loopback: B's CMCAS follows A's; a tutorial with 12 steps and images published
// on A reaches B's library with every step, image and alt text, marked with A's territory; its
// removal on A, with the reason, reaches B.
import assert from "node:assert/strict";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { submit } from "../support/web.ts";
import {
  api,
  drain,
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

describe(`federation: tutorials between two instances (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("brings A's tutorial to B with every step and image, then its removal with the reason", async () => {
    const { a, b } = net as Required<Network>;
    const followed = await api(b!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
    assert.equal(followed.status, 201, followed.text);
    await waitFor("A's Accept", async () => {
      const list = await api(b!).get("/follows?as=cmcas");
      return list.body.find((f: { state: string }) => f.state === "accepted");
    });

    const agent = await loggedIn(a!.instance, await createMember(a!.instance, "member", "auteur"));
    const id = await newTutorial(a!.instance, agent, {
      title: "Une table en palettes",
      summary: "Douze étapes, un week-end",
      tags: "palettes",
    });
    for (let i = 1; i <= 12; i++) await addStep(agent, id, `Étape numéro ${i}`, `Faire ${i}`);
    const steps = await stepIds(a!.instance, id);
    for (const n of [0, 5, 11]) {
      const res = await uploadStepImage(agent, id, steps[n]!.id, `Photo ${n + 1}`, await photo());
      assert.equal(res.status, 303, res.text);
    }
    assert.equal((await publish(agent, id)).status, 303);

    const uri = `${a!.url}/tutorials/${id}`;
    const remote = b!.instance.ctx.db
      .selectFrom("tutorials")
      .selectAll()
      .where("remote_uri", "=", uri);
    const onB = await waitFor("the tutorial on B", async () => remote.executeTakeFirst());
    assert.equal(onB.title, "Une table en palettes");
    assert.equal(onB.status, "published");
    assert.equal(onB.territory, "CMCAS A");
    for (let i = 1; i <= 12; i++)
      assert.match(String(onB.remote_content_html), new RegExp(`Étape numéro ${i}<`));
    assert.deepEqual(
      onB.remote_images.map((img) => img.alt),
      ["Photo 1", "Photo 6", "Photo 12"],
    );
    assert.ok(onB.remote_images.every((img) => img.url.startsWith(`${a!.url}/tutorials/${id}/`)));

    // B's library lists it under A's territory, and not under another one.
    const reader = await loggedIn(
      b!.instance,
      await createMember(b!.instance, "member", "lecteur"),
    );
    const mine = await reader.get(`/tutorials?territory=${encodeURIComponent("CMCAS A")}`);
    assert.equal(mine.status, 200);
    assert.match(mine.text, /Une table en palettes/);
    const other = await reader.get(`/tutorials?territory=${encodeURIComponent("CMCAS Z")}`);
    assert.doesNotMatch(other.text, /Une table en palettes/);

    const staff = await loggedIn(a!.instance, await createMember(a!.instance, "staff", "equipe"));
    const removed = await submit(staff, `/tutorials/${id}`, `/tutorials/${id}/remove`, {
      reason: "Sécurité : scie sans protection",
    });
    assert.equal(removed.status, 303, removed.text);
    const gone = await waitFor("the removal on B", async () => {
      const row = await remote.executeTakeFirst();
      return row?.status === "removed" ? row : undefined;
    });
    assert.equal(gone.removal_reason, "Sécurité : scie sans protection");
    await drain(a!, b!);
  });
});
