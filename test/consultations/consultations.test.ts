// Consultations on one instance: staff write and open one; members answer once by secret ballot
// (every question kind, from the HTML form and the API); 300 concurrent voters each counted once;
// the close date and quorum rules; no table links an answer to a voter; paper ballots added and
// traced; the response notifies participants; an activity's own consultation.
import assert from "node:assert/strict";
import supertest from "supertest";
import { sql } from "kysely";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { register } from "../../server/offers/registrations.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { makeOffer } from "../offers/support.ts";
import {
  bounded,
  closeConsultation,
  inHours,
  manyMembers,
  newConsultation,
  openConsultation,
  questionIds,
  submitBallot,
} from "./support.ts";

const ALL_KINDS: Record<string, string>[] = [
  { kind: "single", prompt: "Quel séjour préférez-vous ?", options: "Mer\nMontagne\nCampagne" },
  {
    kind: "multiple",
    prompt: "Quelles activités ?",
    options: "Randonnée\nVoile\nThéâtre\nCuisine",
    maxChoices: "2",
  },
  { kind: "ranking", prompt: "Classez les destinations", options: "Bretagne\nAlpes\nProvence" },
  { kind: "scale", prompt: "Êtes-vous satisfait des séjours actuels ?" },
  { kind: "text", prompt: "Une idée en quelques mots ?" },
];

describe(`consultations (${MODE})`, function () {
  this.timeout(180_000);
  let instance: TestInstance;
  let staff: Agent;
  let staffMember: Member;
  let alice: Member;
  let aliceAgent: Agent;
  let bobAgent: Agent;

  before(async () => {
    instance = await startTestInstance();
    staffMember = await createMember(instance, "staff");
    staff = await loggedIn(instance, staffMember);
    alice = await createMember(instance, "member", "alice");
    aliceAgent = await loggedIn(instance, alice);
    bobAgent = await loggedIn(instance, await createMember(instance, "member", "bob"));
  });
  after(() => instance.destroy());

  const answerForm = (qs: string[], extra: Record<string, string | string[]> = {}) => ({
    [`q-${qs[0]}`]: "1",
    [`q-${qs[1]}`]: ["0", "2"],
    [`q-${qs[2]}-0`]: "2",
    [`q-${qs[2]}-1`]: "1",
    [`q-${qs[2]}-2`]: "3",
    [`q-${qs[3]}`]: "4",
    [`q-${qs[4]}`]: "Plus de séjours pour les pensionnés",
    ...extra,
  });

  it("is written by staff only, its questions of every kind, and lists on /participer", async () => {
    const refused = await submit(aliceAgent, "/participer", "/consultations/new", {
      title: "Pas pour moi",
      audience: "instance",
      opensAt: inHours(-1),
      closesAt: inHours(2),
    });
    assert.equal(refused.status, 403);
    const wrong = await submit(staff, "/consultations/new", "/consultations/new", {
      title: "Dates à l'envers",
      audience: "instance",
      opensAt: inHours(5),
      closesAt: inHours(1),
    });
    assert.equal(wrong.status, 422);
    assert.match(unescapeHtml(wrong.text), /La clôture doit venir après l'ouverture/);
    const id = await newConsultation(staff, {}, ALL_KINDS);
    assert.deepEqual((await questionIds(instance, id)).length, 5);
    // A draft is not shown to members; a too-large limit is refused.
    assert.equal((await aliceAgent.get(`/consultations/${id}`)).status, 404);
    const badMax = await submit(
      staff,
      `/consultations/${id}/edit`,
      `/consultations/${id}/questions`,
      {
        kind: "multiple",
        prompt: "Trop",
        options: "A\nB",
        maxChoices: "3",
      },
    );
    assert.equal(badMax.status, 422);
    await openConsultation(staff, id);
    const home = await aliceAgent.get("/participer");
    assert.equal(home.status, 200);
    assert.match(unescapeHtml(home.text), /Les séjours de l'été prochain/);
    assert.match(home.text, /href="\/participer"[^>]*>\s*Participer/);
    // The idea box and the participatory budgets give their sections to the same page.
    assert.match(home.text, /id="participation-ideas"/);
    assert.match(home.text, /href="\/idees"/);
    assert.match(home.text, /href="\/budgets"/);
  });

  it("takes one secret ballot per member, shows the rules first, refuses a second and a wrong one", async () => {
    const id = await newConsultation(staff, { title: "Consultation de toutes sortes" }, ALL_KINDS);
    await openConsultation(staff, id);
    const qs = await questionIds(instance, id);
    const page = await aliceAgent.get(`/consultations/${id}/answer`);
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    assert.ok(
      text.indexOf("Règles de la consultation") < text.indexOf("Quel séjour préférez-vous"),
    );
    // Two options ranked the same: refused, and nothing is written.
    const bad = await submitBallot(
      aliceAgent,
      `/consultations/${id}/answer`,
      `/consultations/${id}/answer`,
      answerForm(qs, { [`q-${qs[2]}-2`]: "1" }),
    );
    assert.equal(bad.status, 422);
    assert.match(unescapeHtml(bad.text), /un rang différent/);
    const tooMany = await submitBallot(
      aliceAgent,
      `/consultations/${id}/answer`,
      `/consultations/${id}/answer`,
      answerForm(qs, { [`q-${qs[1]}`]: ["0", "1", "2"] }),
    );
    assert.equal(tooMany.status, 422);
    const count = async (table: "consultation_ballots" | "consultation_participations") =>
      Number(
        (
          await instance.ctx.db
            .selectFrom(table)
            .select(sql<number>`count(*)`.as("n"))
            .where("consultation_id", "=", id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    assert.equal(await count("consultation_ballots"), 0);
    assert.equal(await count("consultation_participations"), 0);
    const done = await submitBallot(
      aliceAgent,
      `/consultations/${id}/answer`,
      `/consultations/${id}/answer`,
      answerForm(qs),
    );
    assert.equal(done.status, 303, done.text);
    const again = await submitBallot(
      bobAgent,
      `/consultations/${id}/answer`,
      `/consultations/${id}/answer`,
      answerForm(qs),
    );
    assert.equal(again.status, 303);
    const twice = await aliceAgent.post(`/consultations/${id}/answer`).type("form").send({});
    assert.ok(twice.status >= 400);
    const token = (await issueApiToken(instance.ctx.db, alice.user.id, "t")).token;
    const viaApi = await supertest(instance.url)
      .post(`/api/v1/consultations/${id}/answers`)
      .set("Authorization", `Bearer ${token}`)
      .send({ answers: { [qs[0]!]: 0, [qs[1]!]: [1], [qs[2]!]: [0, 1, 2], [qs[3]!]: 2 } });
    assert.equal(viaApi.status, 409);
    assert.equal(await count("consultation_ballots"), 2);
    assert.equal(await count("consultation_participations"), 2);
    // No count while open.
    assert.equal(
      (await supertest(instance.url).get(`/api/v1/consultations/${id}/results`)).status,
      409,
    );
    await closeConsultation(staff, id);
    const results = await supertest(instance.url).get(`/api/v1/consultations/${id}/results`);
    assert.equal(results.status, 200);
    const body = results.body as {
      ballots: number;
      questions: {
        options: { label: string; count: number }[];
        mean?: number;
        texts?: string[];
        scores?: { label: string; score: number }[];
      }[];
    };
    assert.equal(body.ballots, 2);
    assert.equal(body.questions[0]!.options[1]!.count, 2);
    assert.deepEqual(
      body.questions[1]!.options.map((o) => o.count),
      [2, 0, 2, 0],
    );
    // Ranks Bretagne 2, Alpes 1, Provence 3: Alpes first (2 points each ballot), Bretagne 1.
    assert.deepEqual(
      body.questions[2]!.scores!.map((s) => [s.label, s.score]),
      [
        ["Alpes", 4],
        ["Bretagne", 2],
        ["Provence", 0],
      ],
    );
    assert.equal(body.questions[3]!.mean, 4);
    assert.deepEqual(body.questions[4]!.texts, [
      "Plus de séjours pour les pensionnés",
      "Plus de séjours pour les pensionnés",
    ]);
    const html = unescapeHtml((await supertest(instance.url).get(`/consultations/${id}`)).text);
    assert.match(html, /<table class="table consult-table">/);
    assert.match(html, /<svg class="consult-bar__svg"/);
  });

  it("counts 300 concurrent voters once each, each sending twice", async () => {
    const id = await newConsultation(staff, { title: "Trois cents votants" });
    await openConsultation(staff, id);
    const [q] = await questionIds(instance, id);
    const voters = await manyMembers(instance, 300, "votant");
    const statuses: number[] = [];
    const send = (token: string, option: number) =>
      supertest(instance.url)
        .post(`/api/v1/consultations/${id}/answers`)
        .set("Authorization", `Bearer ${token}`)
        .send({ answers: { [q!]: option } })
        .then((r) => statuses.push(r.status));
    await bounded(
      voters.map((v, i) => ({ ...v, i })),
      16,
      async (v) => {
        await Promise.all([send(v.token, v.i % 3), send(v.token, (v.i + 1) % 3)]);
      },
    );
    assert.equal(statuses.filter((s) => s === 204).length, 300);
    assert.equal(statuses.filter((s) => s === 409).length, 300);
    await closeConsultation(staff, id);
    const results = (await supertest(instance.url).get(`/api/v1/consultations/${id}/results`))
      .body as {
      ballots: number;
      questions: { options: { count: number }[] }[];
    };
    assert.equal(results.ballots, 300);
    assert.equal(
      results.questions[0]!.options.reduce((s, o) => s + o.count, 0),
      300,
    );
  });

  it("refuses answers after the close date and publishes a result below quorum as not representative", async () => {
    const id = await newConsultation(staff, { title: "Petite consultation", quorum: "5" });
    await openConsultation(staff, id);
    const [q] = await questionIds(instance, id);
    const form = { [`q-${q}`]: "0" };
    assert.equal(
      (await submit(aliceAgent, `/consultations/${id}/answer`, `/consultations/${id}/answer`, form))
        .status,
      303,
    );
    await instance.ctx.db
      .updateTable("consultations")
      .set({ closes_at: new Date(Date.now() - 1000), opens_at: new Date(Date.now() - 3600_000) })
      .where("id", "=", id)
      .execute();
    const late = await bobAgent.post(`/consultations/${id}/answer`).type("form").send(form);
    assert.equal(late.status, 403); // no CSRF token from a closed page: refused before anything
    const token = (
      await issueApiToken(instance.ctx.db, (await createMember(instance)).user.id, "t")
    ).token;
    const lateApi = await supertest(instance.url)
      .post(`/api/v1/consultations/${id}/answers`)
      .set("Authorization", `Bearer ${token}`)
      .send({ answers: { [q!]: 0 } });
    assert.equal(lateApi.status, 422);
    const page = unescapeHtml((await supertest(instance.url).get(`/consultations/${id}`)).text);
    assert.match(page, /Résultat non représentatif/);
    assert.match(page, /quorum de 5 réponses n'est pas atteint \(1 reçues\)/);
    const r = (await supertest(instance.url).get(`/api/v1/consultations/${id}/results`)).body as {
      representative: boolean;
    };
    assert.equal(r.representative, false);
  });

  it("keeps ballots secret: no column, key or order links an answer to a voter", async () => {
    const columns = await sql<{ column_name: string; data_type: string }>`
      select column_name, data_type from information_schema.columns
      where table_name = 'consultation_ballots' order by column_name`.execute(instance.ctx.db);
    assert.deepEqual(
      columns.rows.map((c) => c.column_name),
      ["answers", "cast_on", "channel", "consultation_id", "id", "instance_host"],
    );
    assert.equal(columns.rows.find((c) => c.column_name === "cast_on")!.data_type, "date");
    assert.equal(columns.rows.find((c) => c.column_name === "id")!.data_type, "uuid");
    const keys = await sql<{ table_name: string; foreign_table: string }>`
      select tc.table_name, ccu.table_name as foreign_table
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_name = 'consultation_ballots'`.execute(
      instance.ctx.db,
    );
    assert.deepEqual([...new Set(keys.rows.map((k) => k.foreign_table))], ["consultations"]);
    // No other table joins a ballot: nothing references consultation_ballots.
    const referencing = await sql<{ table_name: string }>`
      select tc.table_name from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
      where tc.constraint_type = 'FOREIGN KEY' and ccu.table_name = 'consultation_ballots'`.execute(
      instance.ctx.db,
    );
    assert.deepEqual(referencing.rows, []);
    // And no ballot holds a user's id anywhere in its answers.
    const ids = (await instance.ctx.db.selectFrom("users").select("id").execute()).map((u) => u.id);
    const ballots = await instance.ctx.db
      .selectFrom("consultation_ballots")
      .select("answers")
      .execute();
    assert.ok(ballots.length > 300);
    const text = JSON.stringify(ballots);
    assert.ok(ids.every((id) => !text.includes(id)));
  });

  it("adds paper ballots to the count, traced per batch, and notifies participants of the response", async () => {
    const id = await newConsultation(staff, { title: "Consultation au centre de vacances" });
    await openConsultation(staff, id);
    const [q] = await questionIds(instance, id);
    assert.equal(
      (
        await submit(aliceAgent, `/consultations/${id}/answer`, `/consultations/${id}/answer`, {
          [`q-${q}`]: "2",
        })
      ).status,
      303,
    );
    assert.equal((await aliceAgent.get(`/consultations/${id}/paper`)).status, 403);
    const bad = await submit(staff, `/consultations/${id}/paper`, `/consultations/${id}/paper`, {
      [`q-${q}`]: "1",
      count: "0",
    });
    assert.equal(bad.status, 422);
    const first = await submit(staff, `/consultations/${id}/paper`, `/consultations/${id}/paper`, {
      [`q-${q}`]: "1",
      count: "3",
      note: "Permanence du mardi",
    });
    assert.equal(first.status, 303, first.text);
    const second = await submit(staff, `/consultations/${id}/paper`, `/consultations/${id}/paper`, {
      [`q-${q}`]: "2",
      count: "2",
    });
    assert.equal(second.status, 303);
    const batches = await instance.ctx.db
      .selectFrom("consultation_paper_batches")
      .selectAll()
      .where("consultation_id", "=", id)
      .orderBy("created_at")
      .execute();
    assert.deepEqual(
      batches.map((b) => [b.entered_by, b.entered_by_name, b.ballots]),
      [
        [staffMember.user.id, staffMember.displayName, 3],
        [staffMember.user.id, staffMember.displayName, 2],
      ],
    );
    const trace = unescapeHtml((await staff.get(`/consultations/${id}/paper`)).text);
    assert.match(
      trace,
      new RegExp(`${staffMember.displayName}</td><td>3</td><td>Permanence du mardi`),
    );
    assert.ok(
      (await supertest(instance.url).get(`/consultations/${id}/ballot`)).text.includes(
        "paper__box",
      ),
    );
    await closeConsultation(staff, id);
    const r = (await supertest(instance.url).get(`/api/v1/consultations/${id}/results`)).body as {
      ballots: number;
      byChannel: { online: number; paper: number };
      questions: { options: { count: number }[] }[];
    };
    assert.equal(r.ballots, 6);
    assert.deepEqual(r.byChannel, { online: 1, paper: 5, network: 0 });
    assert.deepEqual(
      r.questions[0]!.options.map((o) => o.count),
      [0, 3, 3],
    );
    const printed = await supertest(instance.url).get(`/consultations/${id}/results/print`);
    assert.equal(printed.status, 200);
    const response = await submit(staff, `/consultations/${id}`, `/consultations/${id}/response`, {
      response:
        "Nous ouvrons un séjour à la campagne en juillet, demandé par la moitié d'entre vous.",
    });
    assert.equal(response.status, 303, response.text);
    const notes = await instance.ctx.db
      .selectFrom("notifications")
      .select(["user_id", "kind", "link"])
      .where("kind", "=", "consultations:response")
      .execute();
    assert.deepEqual(
      notes.map((n) => [n.user_id, n.link]),
      [[alice.user.id, `/consultations/${id}`]],
    );
    const page = unescapeHtml((await supertest(instance.url).get(`/consultations/${id}`)).text);
    assert.match(page, /Ce que nous avons décidé et pourquoi/);
    assert.match(page, /séjour à la campagne en juillet/);
    // Once the response is out, no more paper ballots.
    const after = await submit(staff, `/consultations/${id}/paper`, `/consultations/${id}/paper`, {
      [`q-${q}`]: "1",
      count: "1",
    });
    assert.equal(after.status, 422);
  });

  it("lets only the participants of an activity answer its own consultation, shown on the offer", async () => {
    const offer = await makeOffer(instance, staffMember.user.id, { title: "Séjour à Quiberon" });
    await instance.ctx.transaction((tx) =>
      register(tx, bookingDeps(instance.ctx), {
        offerId: offer.id,
        participant: { kind: "local", userId: alice.user.id },
        persons: { count: 1 },
      }),
    );
    const id = await newConsultation(staff, {
      title: "Votre avis sur le séjour",
      audience: "offer",
      offer: offer.id,
    });
    await openConsultation(staff, id);
    const [q] = await questionIds(instance, id);
    const offerPage = unescapeHtml((await aliceAgent.get(`/offers/${offer.id}`)).text);
    assert.match(offerPage, /Donnez votre avis sur cette activité/);
    assert.match(offerPage, new RegExp(`href="/consultations/${id}"`));
    assert.equal(
      (
        await submit(aliceAgent, `/consultations/${id}/answer`, `/consultations/${id}/answer`, {
          [`q-${q}`]: "0",
        })
      ).status,
      303,
    );
    const bobPage = unescapeHtml((await bobAgent.get(`/consultations/${id}`)).text);
    assert.match(bobPage, /réservée à son public/);
    const token = (
      await issueApiToken(instance.ctx.db, (await createMember(instance)).user.id, "t")
    ).token;
    const refused = await supertest(instance.url)
      .post(`/api/v1/consultations/${id}/answers`)
      .set("Authorization", `Bearer ${token}`)
      .send({ answers: { [q!]: 0 } });
    assert.equal(refused.status, 403);
  });

  it("documents its API in the OpenAPI document", async () => {
    const doc = (await supertest(instance.url).get("/api/v1/openapi.json")).body as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      "/consultations",
      "/consultations/{id}",
      "/consultations/{id}/answers",
      "/consultations/{id}/results",
    ])
      assert.ok(doc.paths[path], path);
  });
});
