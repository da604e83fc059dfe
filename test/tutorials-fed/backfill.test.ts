// A CMCAS that follows another one after it published tutorials gets them from its outbox
// (ADR 0117): the published ones, not the removed one. Then B's page of such a tutorial reads
// as it was written: every step under its heading, each image a link to its source with its alt
// text (the site loads nothing from another host), the author, the territory, the original.
import assert from "node:assert/strict";
import { loggedIn, createMember } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { submit } from "../support/web.ts";
import {
  drain,
  followCmcas,
  member,
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

describe(`federation: tutorials backfilled on follow (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("brings the tutorials A published before B followed, and B's page shows them readably", async () => {
    const { a, b } = net as Required<Network>;
    const author = await member(a!, true);
    await a!.instance.ctx.db
      .updateTable("users")
      .set({ display_name: "Jeanne Menuisière" })
      .where("id", "=", author.user.id)
      .execute();
    const agent = await loggedIn(a!.instance, author);

    const bench = await newTutorial(a!.instance, agent, {
      title: "Un banc en palettes",
      summary: "Deux palettes, une après-midi",
      tags: "palettes",
    });
    await addStep(agent, bench, "Démonter les palettes", "Avec un pied-de-biche.");
    await addStep(agent, bench, "Poncer les planches", "Grain 80 puis 120.");
    const [first] = await stepIds(a!.instance, bench);
    const up = await uploadStepImage(agent, bench, first!.id, "Palette démontée", await photo());
    assert.equal(up.status, 303, up.text);
    assert.equal((await publish(agent, bench)).status, 303);

    // Seen by the network only: B's backfill reads it with a signed request.
    const jam = await newTutorial(a!.instance, agent, {
      title: "Confiture de mûres",
      visibility: "network",
    });
    await addStep(agent, jam, "Cueillir", "Loin des routes.");
    assert.equal((await publish(agent, jam)).status, 303);

    const gone = await newTutorial(a!.instance, agent, { title: "Un tabouret bancal" });
    await addStep(agent, gone, "Scier", "Sans protection.");
    assert.equal((await publish(agent, gone)).status, 303);
    const staff = await loggedIn(a!.instance, await createMember(a!.instance, "staff", "equipe"));
    const removed = await submit(staff, `/tutorials/${gone}`, `/tutorials/${gone}/remove`, {
      reason: "Dangereux",
    });
    assert.equal(removed.status, 303, removed.text);
    await drain(a!);

    // Nothing of A on B before the follow.
    const remote = () =>
      b!.instance.ctx.db
        .selectFrom("tutorials")
        .select(["id", "remote_uri", "title", "status", "territory", "remote_author_name"])
        .where("remote_uri", "is not", null)
        .orderBy("title")
        .execute();
    assert.deepEqual(await remote(), []);

    await followCmcas(b!, a!);
    const kept = await waitFor("the backfill on B", async () => {
      const row = await b!.instance.ctx.db
        .selectFrom("federation_backfills")
        .selectAll()
        .where("kind", "=", "tutorials")
        .where("finished_at", "is not", null)
        .executeTakeFirst();
      return row ? remote() : undefined;
    });
    assert.deepEqual(
      kept.map((t) => [t.title, t.status, t.territory, t.remote_author_name]),
      [
        ["Confiture de mûres", "published", "CMCAS A", "Jeanne Menuisière"],
        ["Un banc en palettes", "published", "CMCAS A", "Jeanne Menuisière"],
      ],
    );
    assert.ok(kept.every((t) => t.remote_uri !== `${a!.url}/tutorials/${gone}`));

    // The page on B: steps, image from B's copy with its alt text, author, territory, original.
    const onB = kept.find((t) => t.title === "Un banc en palettes")!;
    const reader = await loggedIn(b!.instance, await createMember(b!.instance, "member", "lect"));
    const page = await reader.get(`/tutorials/${onB.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h3>1\. Démonter les palettes<\/h3>/);
    assert.match(page.text, /<h3>2\. Poncer les planches<\/h3>/);
    assert.match(page.text, /Grain 80 puis 120\./);
    // The summary is shown once, above the steps.
    assert.equal(page.text.split("Deux palettes, une après-midi").length - 1, 1);
    assert.match(page.text, /<img src="\/media\/[0-9a-f]{64}" alt="Palette démontée"/);
    assert.doesNotMatch(page.text, /<img[^>]+src="http:\/\/127\.0\.0\.1/);
    assert.match(page.text, /Jeanne Menuisière/);
    assert.match(page.text, /<dd>CMCAS A<\/dd>/);
    assert.match(
      page.text,
      new RegExp(`<a href="${a!.url}/tutorials/${bench}"[^>]*>Lire ce tutoriel sur son instance`),
    );

    // B's library labels it with A's territory; B's own tutorials ("ici") leave it out.
    const fromA = await reader.get(`/tutorials?territory=${encodeURIComponent("CMCAS A")}`);
    assert.match(fromA.text, /<span class="tag tag--territory">Publié par CMCAS A<\/span>/);
    assert.match(fromA.text, /Un banc en palettes/);
    assert.match(fromA.text, /<option value="CMCAS A" selected>CMCAS A<\/option>/);
    const own = await reader.get("/tutorials?territory=ici");
    assert.doesNotMatch(own.text, /Un banc en palettes/);
    await drain(a!, b!);
  });
});
