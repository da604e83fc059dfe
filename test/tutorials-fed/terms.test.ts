// Category, difficulty, time needed and cost estimate travel with a tutorial (ADR 0118): A serves
// them on its Article; B keeps them, whether the Article comes by the backfill of A's outbox or in
// a Create, and files it under its own category with the same slug, else the same name, else the
// default one (vie pratique).
import assert from "node:assert/strict";
import supertest from "supertest";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import {
  drain,
  followCmcas,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "../federation/harness.ts";
import { addStep, categoryId, newTutorial, publish } from "../tutorials/support.ts";

describe(`federation: a tutorial's category, difficulty, time and cost (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("carries them to B and maps the category on B's taxonomy", async () => {
    const { a, b } = net as Required<Network>;
    // A has a category B lacks; B calls one of the seeded ones by another slug.
    await a!.instance.ctx.db
      .insertInto("tutorial_categories")
      .values({ slug: "mecanique", name_fr: "Mécanique", name_en: "Mechanics", position: 95 })
      .execute();
    await b!.instance.ctx.db
      .updateTable("tutorial_categories")
      .set({ slug: "jardin" })
      .where("slug", "=", "jardinage-nature")
      .execute();
    const agent = await loggedIn(a!.instance, await createMember(a!.instance, "member", "auteur"));
    const write = async (title: string, fields: Record<string, string | number>) => {
      const id = await newTutorial(a!.instance, agent, { title, ...fields });
      await addStep(agent, id, "Commencer", "Le début.");
      assert.equal((await publish(agent, id)).status, 303);
      return id;
    };

    const soup = await write("Soupe de potimarron", {
      category: await categoryId(a!.instance, "cuisine"),
      difficulty: "difficile",
      duration: 90,
      cost: 12.5,
    });
    const served = await supertest(a!.url)
      .get(`/tutorials/${soup}`)
      .set("accept", "application/activity+json");
    assert.equal(served.status, 200, served.text);
    const article = JSON.parse(served.text) as Record<string, unknown>;
    assert.equal(article.category, "cuisine");
    assert.equal(article.categoryName, "Cuisine");
    assert.equal(article.difficulty, "difficile");
    assert.equal(article.durationMinutes, 90);
    assert.equal(article.costEuros, "12.50");
    assert.ok(
      (article["@context"] as unknown[]).some(
        (c) => typeof c === "object" && c !== null && "difficulty" in c,
      ),
    );
    await drain(a!);

    const onB = (uri: string) =>
      waitFor(`${uri} on B`, () =>
        b!.instance.ctx.db
          .selectFrom("tutorials")
          .innerJoin("tutorial_categories as c", "c.id", "tutorials.category_id")
          .select([
            "tutorials.id",
            "c.slug",
            "tutorials.difficulty",
            "tutorials.duration_minutes",
            "tutorials.cost_cents",
          ])
          .where("tutorials.remote_uri", "=", uri)
          .executeTakeFirst(),
      );

    // Published before the follow: kept by the backfill (the Article fetched at its URL).
    await followCmcas(b!, a!);
    const backfilled = await onB(`${a!.url}/tutorials/${soup}`);
    assert.deepEqual(
      [backfilled.slug, backfilled.difficulty, backfilled.duration_minutes, backfilled.cost_cents],
      ["cuisine", "difficile", 90, 1250],
    );

    // After it: a Create; the category found by its name, nothing said of time and cost.
    const garden = await write("Semer des radis", {
      category: await categoryId(a!.instance, "jardinage-nature"),
      difficulty: "moyen",
    });
    const sown = await onB(`${a!.url}/tutorials/${garden}`);
    assert.deepEqual(
      [sown.slug, sown.difficulty, sown.duration_minutes, sown.cost_cents],
      ["jardin", "moyen", null, null],
    );
    const bike = await write("Régler ses freins de vélo", {
      category: await categoryId(a!.instance, "mecanique"),
      difficulty: "facile",
      duration: 20,
      cost: 0,
    });
    const braked = await onB(`${a!.url}/tutorials/${bike}`);
    assert.deepEqual(
      [braked.slug, braked.difficulty, braked.duration_minutes, braked.cost_cents],
      ["vie-pratique", "facile", 20, 0],
    );

    // B's page and library show them.
    const reader = await loggedIn(b!.instance, await createMember(b!.instance, "member", "lect"));
    const page = await reader.get(`/tutorials/${backfilled.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<dd>Cuisine<\/dd>/);
    assert.match(page.text, /<dd>Difficile<\/dd>/);
    assert.match(page.text, /<dd>1 h 30 min<\/dd>/);
    assert.match(page.text, /<dd>12,50\s€<\/dd>/);
    const cooking = await reader.get("/tutorials?category=cuisine");
    assert.match(cooking.text, /Soupe de potimarron/);
    assert.doesNotMatch(cooking.text, /Semer des radis/);
    await drain(a!, b!);
  });
});
