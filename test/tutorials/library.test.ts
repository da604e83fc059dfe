// Tutorials: the editor without JavaScript (steps added, moved, removed; images with alt text
// through the offers' image pipeline), publication, who may read what, search, the booklet, the
// seeded guide and the category taxonomy.
import assert from "node:assert/strict";
import sharp from "sharp";
import supertest from "supertest";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import {
  addStep,
  categoryId,
  newTutorial,
  photo,
  publish,
  stepIds,
  uploadStepImage,
} from "./support.ts";

describe(`tutorials: the library (${MODE})`, () => {
  let instance: TestInstance;
  let author: Member;
  let agent: Agent;
  let other: Agent;
  let anonymous: ReturnType<typeof supertest>;

  before(async () => {
    instance = await startTestInstance();
    author = await createMember(instance, "member", "auteur");
    agent = await loggedIn(instance, author);
    other = await loggedIn(instance, await createMember(instance, "member", "autre"));
    anonymous = supertest(instance.url);
  });
  after(() => instance.destroy());

  it("holds the seeded guide from the first start, found without accents and with plurals", async () => {
    const home = await anonymous.get("/tutorials");
    assert.equal(home.status, 200);
    assert.match(unescapeHtml(home.text), /Comment écrire un tutoriel/);
    // "ecrire" without its accent, "tutoriels" and "etapes" in the plural.
    for (const q of ["ecrire", "tutoriels", "etapes courtes"]) {
      const found = await anonymous.get(`/tutorials?q=${encodeURIComponent(q)}`);
      assert.equal(found.status, 200);
      assert.match(unescapeHtml(found.text), /Comment écrire un tutoriel/, q);
    }
    const none = await anonymous.get("/tutorials?q=tronçonneuse");
    assert.doesNotMatch(unescapeHtml(none.text), /Comment écrire un tutoriel/);
  });

  it("writes a tutorial: steps added, reordered with up/down forms, removed, then published", async () => {
    const id = await newTutorial(instance, agent, {
      title: "Une jardinière en palettes",
      summary: "Recycler deux palettes en bac à fleurs.",
      tags: "palette, Récupération, #bois",
      duration: 150,
      cost: "12.5",
      materials: "2 palettes\n- vis de 40 mm",
    });
    // Without steps it cannot be published.
    const early = await publish(agent, id);
    assert.equal(early.status, 422);
    assert.match(unescapeHtml(early.text), /au moins une étape/);

    await addStep(agent, id, "Démonter les palettes", "Avec un **pied-de-biche**.");
    await addStep(agent, id, "Poncer les planches");
    await addStep(agent, id, "Assembler le bac");
    let steps = await stepIds(instance, id);
    assert.deepEqual(
      steps.map((s) => s.title),
      ["Démonter les palettes", "Poncer les planches", "Assembler le bac"],
    );
    const move = (stepId: string, direction: string) =>
      submit(agent, `/tutorials/${id}/edit`, `/tutorials/${id}/steps/${stepId}/move`, {
        direction,
      });
    assert.equal((await move(steps[2]!.id, "up")).status, 303);
    // The first step cannot go higher: nothing changes.
    assert.equal((await move(steps[0]!.id, "up")).status, 303);
    steps = await stepIds(instance, id);
    assert.deepEqual(
      steps.map((s) => [s.position, s.title]),
      [
        [1, "Démonter les palettes"],
        [2, "Assembler le bac"],
        [3, "Poncer les planches"],
      ],
    );
    const removed = await submit(
      agent,
      `/tutorials/${id}/edit`,
      `/tutorials/${id}/steps/${steps[1]!.id}/delete`,
      {},
    );
    assert.equal(removed.status, 303);
    steps = await stepIds(instance, id);
    assert.deepEqual(
      steps.map((s) => [s.position, s.title]),
      [
        [1, "Démonter les palettes"],
        [2, "Poncer les planches"],
      ],
    );
    // A draft is the authors' only.
    assert.equal((await anonymous.get(`/tutorials/${id}`)).status, 404);
    assert.equal((await other.get(`/tutorials/${id}`)).status, 404);

    assert.equal((await publish(agent, id)).status, 303);
    const page = await anonymous.get(`/tutorials/${id}`);
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    assert.match(text, /Étape 1 : Démonter les palettes/);
    assert.match(text, /Étape 2 : Poncer les planches/);
    assert.match(page.text, /<strong>pied-de-biche<\/strong>/);
    assert.match(text, /2 h 30 min/);
    assert.match(text, /12,50/);
    assert.match(text, /#récupération/);
    const row = await instance.ctx.db
      .selectFrom("tutorials")
      .select(["view_count", "tags"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.equal(row.view_count, 1);
    assert.deepEqual(row.tags, ["palette", "récupération", "bois"]);
    // Found by its steps' words, in the singular.
    const found = await anonymous.get("/tutorials?q=planche&category=bricolage");
    assert.match(unescapeHtml(found.text), /Une jardinière en palettes/);
    // Only authors edit.
    assert.equal((await other.get(`/tutorials/${id}/edit`)).status, 403);
  });

  it("keeps step images with their alt text, re-encoded without metadata, six at most", async () => {
    const id = await newTutorial(instance, agent, { title: "Coudre un sac" });
    await addStep(agent, id, "Couper le tissu");
    const [step] = await stepIds(instance, id);
    const res = await uploadStepImage(
      agent,
      id,
      step!.id,
      "Deux rectangles de tissu",
      await photo(),
    );
    assert.equal(res.status, 303, res.text);
    const missingAlt = await uploadStepImage(agent, id, step!.id, "", await photo());
    assert.equal(missingAlt.status, 422);
    const notAnImage = await uploadStepImage(agent, id, step!.id, "Texte", Buffer.from("bonjour"));
    assert.equal(notAnImage.status, 422);
    const images = await instance.ctx.db
      .selectFrom("tutorial_images")
      .select(["id", "alt"])
      .where("tutorial_id", "=", id)
      .execute();
    assert.deepEqual(
      images.map((i) => i.alt),
      ["Deux rectangles de tissu"],
    );
    await publish(agent, id);
    const page = await anonymous.get(`/tutorials/${id}`);
    assert.match(
      page.text,
      new RegExp(`/tutorials/${id}/images/${images[0]!.id}" alt="Deux rectangles de tissu"`),
    );
    const served = await anonymous
      .get(`/tutorials/${id}/images/${images[0]!.id}/page`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(served.status, 200);
    const meta = await sharp(served.body as Buffer).metadata();
    assert.equal(meta.format, "webp");
    assert.equal(meta.exif, undefined);
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await uploadStepImage(agent, id, step!.id, `Vue ${i}`, await photo())).status,
        303,
      );
    const seventh = await uploadStepImage(agent, id, step!.id, "De trop", await photo());
    assert.equal(seventh.status, 422);
    assert.match(unescapeHtml(seventh.text), /six images/);
  });

  it("shows network and local tutorials to members only, and lets co-authors edit", async () => {
    const id = await newTutorial(instance, agent, {
      title: "Réparer une chambre à air",
      visibility: "local",
    });
    await addStep(agent, id, "Trouver la fuite");
    await publish(agent, id);
    assert.equal((await anonymous.get(`/tutorials/${id}`)).status, 404);
    assert.equal((await other.get(`/tutorials/${id}`)).status, 200);
    const list = await anonymous.get("/tutorials?q=chambre");
    assert.doesNotMatch(unescapeHtml(list.text), /Réparer une chambre à air/);

    const coauthor = await createMember(instance, "member", "coauteur");
    const added = await submit(agent, `/tutorials/${id}/edit`, `/tutorials/${id}/coauthors`, {
      username: coauthor.username,
    });
    assert.equal(added.status, 303);
    const coAgent = await loggedIn(instance, coauthor);
    assert.equal((await coAgent.get(`/tutorials/${id}/edit`)).status, 200);
    const unknown = await submit(agent, `/tutorials/${id}/edit`, `/tutorials/${id}/coauthors`, {
      username: "personne_de_ce_nom",
    });
    assert.equal(unknown.status, 422);
  });

  it("refuses bad input with a message, never a 500 nor a partial write", async () => {
    const before = await instance.ctx.db
      .selectFrom("tutorials")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const bad = await submit(agent, "/tutorials/new", "/tutorials/new", {
      title: "x",
      category: "not-a-category",
      difficulty: "extreme",
      licence: "cc-by-sa-4.0",
      visibility: "public",
      duration: "beaucoup",
    });
    assert.equal(bad.status, 422);
    const wrongCategory = await submit(agent, "/tutorials/new", "/tutorials/new", {
      title: "Catégorie inconnue",
      category: "00000000-0000-4000-8000-000000000000",
      difficulty: "facile",
      licence: "cc-by-sa-4.0",
      visibility: "public",
    });
    assert.equal(wrongCategory.status, 422);
    assert.match(unescapeHtml(wrongCategory.text), /Choisissez une catégorie/);
    const after = await instance.ctx.db
      .selectFrom("tutorials")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
    assert.equal((await anonymous.get("/tutorials/pas-un-id")).status, 404);
  });

  it("prints a booklet with every step and no navigation", async () => {
    const id = await newTutorial(instance, agent, { title: "Faire son pain" });
    for (const title of ["Pétrir", "Laisser lever", "Cuire"]) await addStep(agent, id, title);
    await publish(agent, id);
    const res = await anonymous.get(`/tutorials/${id}/print`);
    assert.equal(res.status, 200);
    const text = unescapeHtml(res.text);
    for (const title of ["Pétrir", "Laisser lever", "Cuire"]) assert.match(text, new RegExp(title));
    assert.doesNotMatch(res.text, /site-header|main-nav/);
    assert.match(res.text, /tutorials-print\.css/);
  });

  it("lets staff remove a tutorial with a reason its author is told, and admins edit categories", async () => {
    const id = await newTutorial(instance, agent, { title: "Un tutoriel à retirer" });
    await addStep(agent, id, "Une étape");
    await publish(agent, id);
    const staff = await loggedIn(instance, await createMember(instance, "staff"));
    const noReason = await submit(staff, `/tutorials/${id}`, `/tutorials/${id}/remove`, {
      reason: "",
    });
    assert.equal(noReason.status, 422);
    const done = await submit(staff, `/tutorials/${id}`, `/tutorials/${id}/remove`, {
      reason: "Contenu copié d'un livre",
    });
    assert.equal(done.status, 303);
    assert.equal((await anonymous.get(`/tutorials/${id}`)).status, 404);
    const own = await agent.get(`/tutorials/${id}`);
    assert.match(unescapeHtml(own.text), /Contenu copié d'un livre/);
    const notes = await instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data"])
      .where("user_id", "=", author.user.id)
      .where("kind", "=", "tutorials:removed")
      .execute();
    assert.equal(notes.length, 1);
    assert.equal((notes[0]!.data as { reason: string }).reason, "Contenu copié d'un livre");

    const admin = await loggedIn(instance, await createMember(instance, "admin"));
    const added = await submit(admin, "/admin/tutorials", "/admin/tutorials/categories", {
      slug: "reparation",
      nameFr: "Réparation",
      nameEn: "Repair",
      position: 95,
    });
    assert.equal(added.status, 303);
    const form = await agent.get("/tutorials/new");
    assert.match(unescapeHtml(form.text), /Réparation/);
    const cat = await categoryId(instance, "reparation");
    const archived = await submit(admin, "/admin/tutorials", `/admin/tutorials/categories/${cat}`, {
      nameFr: "Réparation",
      nameEn: "Repair",
      position: 95,
      archived: "on",
    });
    assert.equal(archived.status, 303);
    assert.doesNotMatch(unescapeHtml((await agent.get("/tutorials/new")).text), /Réparation/);
    assert.equal((await agent.get("/admin/tutorials")).status, 403);
  });
  it("publishes Atom feeds of public tutorials per category and per author", async () => {
    const id = await newTutorial(instance, agent, { title: "Un tabouret en chêne" });
    await addStep(agent, id, "Tracer les pieds", "Au **crayon**.");
    await publish(agent, id);
    const hidden = await newTutorial(instance, agent, {
      title: "Réservé aux membres",
      visibility: "network",
    });
    await addStep(agent, hidden, "Étape");
    await publish(agent, hidden);
    const byCategory = await anonymous.get("/tutorials/feeds/category/bricolage.atom");
    assert.equal(byCategory.status, 200);
    assert.match(byCategory.type, /atom/);
    assert.match(byCategory.text, /Un tabouret en chêne/);
    assert.match(byCategory.text, /Tracer les pieds/);
    assert.doesNotMatch(byCategory.text, /Réservé aux membres/);
    const other = await anonymous.get("/tutorials/feeds/category/cuisine.atom");
    assert.doesNotMatch(other.text, /Un tabouret en chêne/);
    const byAuthor = await anonymous.get(`/tutorials/feeds/author/${author.username}.atom`);
    assert.equal(byAuthor.status, 200);
    assert.match(byAuthor.text, /Un tabouret en chêne/);
    assert.equal((await anonymous.get("/tutorials/feeds/category/inconnue.atom")).status, 404);
  });
});
