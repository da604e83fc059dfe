// Our tutorials as Articles: served at the tutorial's URL by content negotiation with every step,
// image and alt text, readable the way Mastodon-like software reads an Article (name, summary,
// url, image), announced by the CMCAS (its outbox), updated on edit, and a removal a Delete of a
// Tombstone carrying its reason.
import assert from "node:assert/strict";
import { Article, Create, Tombstone } from "@fedify/vocab";
import supertest from "supertest";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, type Agent } from "../support/web.ts";
import {
  addStep,
  newTutorial,
  photo,
  publish,
  stepIds,
  uploadStepImage,
} from "../tutorials/support.ts";

const AS = "application/activity+json";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe(`federation: tutorials as Articles (${MODE})`, function () {
  this.timeout(180_000);
  let instance: TestInstance;
  let agent: Agent;
  let staff: Agent;

  before(async () => {
    instance = await startTestInstance();
    agent = await loggedIn(instance, await createMember(instance, "member", "auteur"));
    staff = await loggedIn(instance, await createMember(instance, "staff", "equipe"));
  });
  after(() => instance?.destroy());

  async function outboxTypes() {
    const rows = await instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["activity_type", "activity"])
      .where("activity_id", "is not", null)
      .orderBy("id")
      .execute();
    return rows;
  }

  it("serves a published tutorial as an Article with every step and image, then Update and Delete", async () => {
    const id = await newTutorial(instance, agent, {
      title: "Un banc en palettes",
      summary: "Deux palettes, une après-midi",
      tags: "palettes, bois",
    });
    // A draft is not served to other servers.
    const draft = await supertest(instance.url).get(`/tutorials/${id}`).set("accept", AS);
    assert.notEqual(draft.status, 200);
    for (let i = 1; i <= 3; i++) await addStep(agent, id, `Étape ${i}`, `Texte de l'étape ${i}`);
    const steps = await stepIds(instance, id);
    const upload = await uploadStepImage(
      agent,
      id,
      steps[1]!.id,
      "Palette démontée",
      await photo(),
    );
    assert.equal(upload.status, 303, upload.text);
    const published = await publish(agent, id);
    assert.equal(published.status, 303, published.text);

    const res = await supertest(instance.url).get(`/tutorials/${id}`).set("accept", AS);
    assert.equal(res.status, 200, res.text);
    const json = JSON.parse(res.text) as Record<string, unknown>;
    // What Mastodon reads of an Article: type, name, summary, url, attributedTo, content.
    assert.equal(json.type, "Article");
    assert.equal(json.name, "Un banc en palettes");
    assert.equal(json.summary, "Deux palettes, une après-midi");
    assert.equal(json.url, `${instance.url}/tutorials/${id}`);
    assert.match(String(json.attributedTo), /\/users\//);
    const ctx = instance.federation.context();
    const article = await Article.fromJsonLd(json, { contextLoader: ctx.contextLoader });
    const content = String(article.content);
    for (let i = 1; i <= 3; i++) assert.match(content, new RegExp(`Étape ${i}`));
    assert.match(content, /alt="Palette démontée"/);
    const attachments = await collect(article.getAttachments());
    assert.equal(attachments.length, 1);
    assert.equal(String(attachments[0]!.name), "Palette démontée");
    const image = await supertest(instance.url).get(
      new URL(String((attachments[0] as unknown as { url: URL }).url)).pathname,
    );
    assert.equal(image.status, 200);
    assert.match(String(image.headers["content-type"]), /^image\//);
    const tags = await collect(article.getTags());
    assert.deepEqual(tags.map((t) => String(t.name)).sort(), ["#bois", "#palettes"]);
    assert.equal(article.contextIds[0]?.href, `${instance.url}/tutorials/${id}#conversation`);

    // In the CMCAS outbox for a follower's backfill.
    const outbox = await supertest(instance.url).get("/users/cmcas/outbox").set("accept", AS);
    const first = new URL(outbox.body.first as string);
    const page = await supertest(instance.url)
      .get(first.pathname + first.search)
      .set("accept", AS);
    const items = await Promise.all(
      (page.body.orderedItems as unknown[]).map((i) =>
        Create.fromJsonLd(i, { contextLoader: ctx.contextLoader }),
      ),
    );
    assert.ok(items.some((c) => c.objectId?.href === `${instance.url}/tutorials/${id}`));

    await addStep(agent, id, "Étape 4", "Vernir");
    const removed = await submit(staff, `/tutorials/${id}`, `/tutorials/${id}/remove`, {
      reason: "Photos d'une autre personne",
    });
    assert.equal(removed.status, 303, removed.text);
    const gone = await supertest(instance.url).get(`/tutorials/${id}`).set("accept", AS);
    const tombstone = await Tombstone.fromJsonLd(gone.body, { contextLoader: ctx.contextLoader });
    assert.equal(tombstone.id?.href, `${instance.url}/tutorials/${id}`);
    assert.equal(String(tombstone.summary), "Photos d'une autre personne");

    const sent = (await outboxTypes()).filter((r) =>
      JSON.stringify(r.activity).includes(`/tutorials/${id}`),
    );
    assert.deepEqual(
      sent.map((r) => r.activity_type),
      ["Create", "Update", "Delete"],
    );
    assert.match(JSON.stringify(sent[2]!.activity), /Photos d'une autre personne/);
  });
});
