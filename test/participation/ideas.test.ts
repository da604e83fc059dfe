// The idea box (server/ideas): propose, support once each (never one's own, 20 members at once
// and one member clicking five times at once), the admin's threshold turning an idea into one
// awaiting an answer on the staff's list, the official answer (a "non retenue" needs its reason)
// telling author and supporters, comments as forum posts, moderation with a mandatory reason in
// the public log, and the API.
import assert from "node:assert/strict";
import supertest from "supertest";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { bearer, notices, saveSettings } from "../plugins/support.ts";

describe(`participation: idea box (${MODE})`, () => {
  let instance: TestInstance;
  let admin: Agent;
  let staff: Agent;
  let author: Member;
  let authorAgent: Agent;

  before(async () => {
    instance = await startTestInstance();
    admin = await loggedIn(instance, await createMember(instance, "admin"));
    staff = await loggedIn(instance, await createMember(instance, "staff"));
    author = await createMember(instance);
    authorAgent = await loggedIn(instance, author);
    await saveSettings(admin, "ideas", { threshold: 3 });
  });
  after(() => instance.destroy());

  const propose = async (title: string) => {
    const res = await submit(authorAgent, "/idees/nouvelle", "/idees", {
      category: "activities",
      title,
      body: "Une sortie raquettes pour les familles en février.",
    });
    assert.equal(res.status, 303, res.text.slice(0, 2000));
    return res.headers.location!.split("/").pop()!;
  };
  const supportsOf = async (id: string) =>
    (
      await instance.ctx.db
        .selectFrom("ideas")
        .select("supports")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).supports;

  it("refuses an incomplete idea, then publishes one; its author cannot support it", async () => {
    const refused = await submit(authorAgent, "/idees/nouvelle", "/idees", {
      category: "nope",
      title: "x",
      body: "court",
    });
    assert.equal(refused.status, 422);
    const text = unescapeHtml(refused.text);
    assert.match(text, /Choisissez une catégorie/);
    assert.match(text, /titre de 3 à 150/);
    const id = await propose("Sortie raquettes");
    const page = await authorAgent.get(`/idees/${id}`);
    assert.match(unescapeHtml(page.text), /Sortie raquettes/);
    assert.doesNotMatch(page.text, /soutien"/);
    const own = await authorAgent
      .post(`/idees/${id}/soutien`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(own.status, 409);
    assert.equal(await supportsOf(id), 0);
  });

  it("counts one support per member under concurrency, and the threshold makes it await an answer", async () => {
    const id = await propose("Atelier cuisine du monde");
    const members = await Promise.all(Array.from({ length: 20 }, () => createMember(instance)));
    const tokens = await Promise.all(members.map((m) => bearer(instance, m)));
    const client = supertest(instance.url);
    // Twenty members at once, and the first one five more times at the same moment.
    const answers = await Promise.all(
      [...tokens, ...Array.from({ length: 5 }, () => tokens[0]!)].map((t) =>
        client.post(`/api/v1/ideas/${id}/supports`).set("Authorization", t),
      ),
    );
    assert.equal(answers.filter((r) => r.status === 201).length, 20);
    assert.equal(answers.filter((r) => r.status === 409).length, 5);
    assert.equal(await supportsOf(id), 20);
    const rows = await instance.ctx.db
      .selectFrom("idea_supports")
      .select("user_id")
      .where("idea_id", "=", id)
      .execute();
    assert.equal(rows.length, 20);

    // Past the threshold (3): the staff's list shows it, the page says an answer is due.
    const awaiting = await staff.get("/idees/a-repondre");
    assert.equal(awaiting.status, 200);
    assert.match(unescapeHtml(awaiting.text), /Atelier cuisine du monde/);
    const below = await propose("Idée encore discrète");
    assert.doesNotMatch(unescapeHtml(awaiting.text), /Idée encore discrète/);
    assert.match(unescapeHtml((await staff.get(`/idees/${id}`)).text), /la CMCAS doit y répondre/);
    const plain = await loggedIn(instance, members[1]!);
    assert.equal((await plain.get("/idees/a-repondre")).status, 403);
    const listed = await client.get("/api/v1/ideas");
    const item = (listed.body as { id: string; awaitingAnswer: boolean }[]).find(
      (i) => i.id === id,
    );
    assert.equal(item?.awaitingAnswer, true);
    assert.equal(
      (listed.body as { id: string; awaitingAnswer: boolean }[]).find((i) => i.id === below)
        ?.awaitingAnswer,
      false,
    );

    // The answer: "non retenue" without a reason is refused; with one, everyone is told.
    const noReason = await submit(staff, `/idees/${id}`, `/idees/${id}/reponse`, {
      status: "declined",
      answer: " ",
    });
    assert.equal(noReason.status, 422);
    assert.match(unescapeHtml(noReason.text), /Dites pourquoi l'idée n'est pas retenue/);
    assert.equal((await notices(instance, author.user.id, "ideas:answered")).length, 0);
    const answered = await submit(staff, `/idees/${id}`, `/idees/${id}/reponse`, {
      status: "declined",
      answer: "Le budget des ateliers est déjà engagé pour l'année.",
    });
    assert.equal(answered.status, 303);
    assert.equal((await notices(instance, author.user.id, "ideas:answered")).length, 1);
    for (const m of members)
      assert.equal((await notices(instance, m.user.id, "ideas:answered")).length, 1);
    const page = unescapeHtml((await client.get(`/idees/${id}`)).text);
    assert.match(page, /Non retenue/);
    assert.match(page, /déjà engagé pour l'année/);
    assert.doesNotMatch(unescapeHtml((await staff.get("/idees/a-repondre")).text), /cuisine du/);
  });

  it("discusses an idea in the forums' posts and tells its author", async () => {
    const id = await propose("Covoiturage vers les centres de vacances");
    const other = await loggedIn(instance, await createMember(instance));
    const res = await submit(other, `/idees/${id}`, `/idees/${id}/commentaires`, {
      text: "Bonne idée, je peux conduire depuis Lyon.",
    });
    assert.equal(res.status, 303);
    const page = unescapeHtml((await other.get(`/idees/${id}`)).text);
    assert.match(page, /je peux conduire depuis Lyon/);
    const idea = await instance.ctx.db
      .selectFrom("ideas")
      .select("topic_id")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.ok(idea.topic_id, "a forum topic holds the discussion");
    assert.equal((await notices(instance, author.user.id, "ideas:commented")).length, 1);
  });

  it("moderates with a mandatory reason, written in the public log", async () => {
    const id = await propose("Idée hors sujet");
    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    const empty = await submit(moderator, `/idees/${id}/moderate`, `/idees/${id}/moderate`, {
      reason: "",
    });
    assert.equal(empty.status, 422);
    const removed = await submit(moderator, `/idees/${id}/moderate`, `/idees/${id}/moderate`, {
      reason: "Propos publicitaires",
    });
    assert.equal(removed.status, 303);
    const anonymous = supertest(instance.url);
    assert.equal((await anonymous.get(`/idees/${id}`)).status, 404);
    assert.doesNotMatch(unescapeHtml((await anonymous.get("/idees")).text), /Idée hors sujet/);
    const log = unescapeHtml((await anonymous.get("/idees/moderation")).text);
    assert.match(log, /Idée hors sujet/);
    assert.match(log, /Propos publicitaires/);
    assert.equal((await notices(instance, author.user.id, "moderation:listingRemoved")).length, 1);
  });

  it("proposes through the API, refusing bad input with a 4xx", async () => {
    const token = await bearer(instance, author);
    const client = supertest(instance.url);
    const bad = await client
      .post("/api/v1/ideas")
      .set("Authorization", token)
      .send({ category: "activities", title: "ok", body: "x" });
    assert.equal(bad.status, 400);
    const good = await client.post("/api/v1/ideas").set("Authorization", token).send({
      category: "functioning",
      title: "Permanences le samedi",
      body: "Ouvrir l'accueil un samedi par mois.",
    });
    assert.equal(good.status, 201);
    assert.equal(good.body.category, "functioning");
    const doc = await client.get("/api/v1/openapi.json");
    assert.ok(doc.body.paths["/ideas/{id}/supports"], "documented in OpenAPI");
  });
});
