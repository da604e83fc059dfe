// The library's search form without JavaScript: time needed and cost filters (beside category and
// difficulty), the territory filter keeping this instance's own tutorials, the cards' territory
// label, and unknown values read as no filter rather than an error.
import assert from "node:assert/strict";
import supertest from "supertest";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { unescapeHtml } from "../support/web.ts";
import { addStep, newTutorial, publish } from "./support.ts";

describe(`tutorials: search filters (${MODE})`, () => {
  let instance: TestInstance;
  let anonymous: ReturnType<typeof supertest>;

  before(async () => {
    instance = await startTestInstance({ env: { INSTANCE_NAME: "CMCAS Drôme-Ardèche" } });
    anonymous = supertest(instance.url);
    const agent = await loggedIn(instance, await createMember(instance, "member", "auteur"));
    const tutorials: (Record<string, string | number> & { title: string })[] = [
      { title: "Nichoir express", duration: 30, cost: 0, difficulty: "facile" },
      { title: "Table de jardin", duration: 240, cost: 45, difficulty: "moyen" },
      { title: "Cabane perchée", duration: 2000, cost: 300, difficulty: "difficile" },
      { title: "Sans estimation" },
    ];
    for (const fields of tutorials) {
      const id = await newTutorial(instance, agent, fields);
      await addStep(agent, id, "Commencer", "Bois et vis.");
      assert.equal((await publish(agent, id)).status, 303);
    }
  });
  after(() => instance.destroy());

  /** The titles of the results of a search, in page order. */
  async function found(query: string): Promise<string[]> {
    const res = await anonymous.get(`/tutorials?${query}`);
    assert.equal(res.status, 200, query);
    const titles = [...unescapeHtml(res.text).matchAll(/tuto-card__title"><a [^>]+>([^<]+)</g)];
    // The seeded guide ("Comment écrire un tutoriel") is left out: its estimates may change.
    return titles
      .map((m) => m[1]!)
      .filter((title) => title !== "Comment écrire un tutoriel")
      .sort();
  }

  it("folds the filters behind 'Plus de filtres' on the home, open when one is in use", async () => {
    const folded = (await anonymous.get("/tutorials")).text;
    assert.match(folded, /<details class="more">\s*<summary>Plus de filtres<\/summary>/);
    assert.match(folded, /<input id="field-q" name="q"/, "the words field stays in view");
    const filtered = (await anonymous.get("/tutorials?cost=20")).text;
    assert.match(filtered, /<details class="more" open>\s*<summary>Plus de filtres<\/summary>/);
  });

  it("filters by time needed, at most", async () => {
    assert.deepEqual(await found("duration=30"), ["Nichoir express"]);
    assert.deepEqual(await found("duration=240"), ["Nichoir express", "Table de jardin"]);
    assert.deepEqual(await found("duration=480"), ["Nichoir express", "Table de jardin"]);
  });

  it("filters by cost, free or at most an amount", async () => {
    assert.deepEqual(await found("cost=0"), ["Nichoir express"]);
    assert.deepEqual(await found("cost=50"), ["Nichoir express", "Table de jardin"]);
    // Combined with the difficulty.
    assert.deepEqual(await found("cost=50&difficulty=moyen"), ["Table de jardin"]);
  });

  it("keeps the instance's own tutorials with the territory 'ici', and labels cards with it", async () => {
    const own = await found("territory=ici");
    for (const title of ["Nichoir express", "Table de jardin", "Cabane perchée"])
      assert.ok(own.includes(title), title);
    assert.deepEqual(await found("territory=CMCAS%20Ailleurs"), []);
    const res = await anonymous.get("/tutorials?territory=ici");
    const text = unescapeHtml(res.text);
    assert.match(text, /<span class="tag tag--territory">CMCAS Drôme-Ardèche<\/span>/);
    // The form offers the choices, the chosen ones selected, and works without JavaScript (GET).
    assert.match(text, /<form method="get" action="\/tutorials"/);
    assert.match(text, /<option value="ici" selected>Ici \(CMCAS Drôme-Ardèche\)<\/option>/);
    const chosen = unescapeHtml((await anonymous.get("/tutorials?duration=60&cost=20")).text);
    assert.match(chosen, /<option value="60" selected>1 heure au plus<\/option>/);
    assert.match(chosen, /<option value="20" selected>20 € au plus<\/option>/);
  });

  it("reads an unknown value as no filter, and combines the filters", async () => {
    const all = await found("duration=7&cost=abc");
    assert.ok(all.includes("Sans estimation"));
    assert.ok(all.includes("Cabane perchée"));
    const res = await anonymous.get("/tutorials?duration=480&cost=50&territory=ici");
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /Sans estimation/);
  });
});
