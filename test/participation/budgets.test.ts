// Participatory budgets (server/budgets): the staff's form and the phases, proposals and their
// review (a rejection needs its public reason), the knapsack vote that never exceeds the envelope
// (also with 24 ballots at once, and one member's five at once), the recount without JavaScript,
// secret ballots, paper ballots counted apart and traced, the winners by the published rule with
// its ties, the follow-up of a winner, and the API.
import assert from "node:assert/strict";
import supertest from "supertest";
import { DateTime } from "luxon";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { bearer } from "../plugins/support.ts";
import { budgetWithProjects, setPhase } from "./support.ts";

const local = (hours: number) =>
  DateTime.now().setZone("Europe/Paris").plus({ hours }).toFormat("yyyy-MM-dd'T'HH:mm");

describe(`participation: participatory budgets (${MODE})`, () => {
  let instance: TestInstance;
  let staffMember: Member;
  let staff: Agent;

  before(async () => {
    instance = await startTestInstance();
    staffMember = await createMember(instance, "staff");
    staff = await loggedIn(instance, staffMember);
  });
  after(() => instance.destroy());

  it("opens a budget, takes proposals, and rejects one only with its public reason", async () => {
    const bad = await submit(staff, "/budgets/nouveau", "/budgets", {
      title: "Budget 2027",
      envelope: "abc",
      rule: "knapsack",
      proposalsOpenAt: local(48),
      proposalsCloseAt: local(24),
      voteOpenAt: local(72),
      voteCloseAt: local(96),
    });
    assert.equal(bad.status, 422);
    assert.match(unescapeHtml(bad.text), /enveloppe en euros/);
    assert.match(unescapeHtml(bad.text), /Les dates doivent se suivre/);
    const res = await submit(staff, "/budgets/nouveau", "/budgets", {
      title: "Budget 2027",
      description: "Les projets des membres pour l'année.",
      envelope: "5000",
      rule: "knapsack",
      proposalsOpenAt: local(-1),
      proposalsCloseAt: local(24),
      voteOpenAt: local(48),
      voteCloseAt: local(72),
    });
    assert.equal(res.status, 303, res.text.slice(0, 2000));
    const id = res.headers.location!.split("/").pop()!;
    const member = await loggedIn(instance, await createMember(instance));
    const page = unescapeHtml((await member.get(`/budgets/${id}`)).text);
    // The rule and the tie rule are shown from the start.
    assert.match(page, /Vote dans l'enveloppe/);
    assert.match(page, /le projet le moins cher passe d'abord, puis le premier déposé/);
    // The audience, chosen by staff at creation: this instance's members unless said otherwise.
    assert.match(page, /Qui vote[\s\S]*Les membres de cette instance/);
    const network = {
      title: "Budget du réseau",
      envelope: "8000",
      rule: "approval",
      proposalsOpenAt: local(-1),
      proposalsCloseAt: local(24),
      voteOpenAt: local(48),
      voteCloseAt: local(72),
    };
    const odd = await submit(staff, "/budgets/nouveau", "/budgets", {
      ...network,
      audience: "world",
    });
    assert.equal(odd.status, 422);
    assert.match(unescapeHtml(odd.text), /Choisissez qui vote/);
    const made = await submit(staff, "/budgets/nouveau", "/budgets", {
      ...network,
      audience: "network",
    });
    assert.equal(made.status, 303);
    const audiences = await instance.ctx.db
      .selectFrom("budgets")
      .select(["title", "audience"])
      .orderBy("title")
      .execute();
    assert.deepEqual(
      audiences.map((b) => [b.title, b.audience]),
      [
        ["Budget 2027", "instance"],
        ["Budget du réseau", "network"],
      ],
    );
    const tooDear = await submit(member, `/budgets/${id}/proposer`, `/budgets/${id}/projets`, {
      title: "Piscine",
      description: "Une piscine couverte pour tous.",
      cost: "9000",
    });
    assert.equal(tooDear.status, 422);
    const proposed = await submit(member, `/budgets/${id}/proposer`, `/budgets/${id}/projets`, {
      title: "Jardin partagé",
      description: "Des bacs de culture près de la CMCAS.",
      cost: "1200",
    });
    assert.equal(proposed.status, 303);
    const project = await instance.ctx.db
      .selectFrom("budget_projects")
      .select("id")
      .where("budget_id", "=", id)
      .executeTakeFirstOrThrow();
    await setPhase(instance, id, "review");
    const review = `/budgets/${id}/projets/${project.id}/examen`;
    const noReason = await submit(staff, `/budgets/${id}`, review, { decision: "rejected" });
    assert.equal(noReason.status, 422);
    const rejected = await submit(staff, `/budgets/${id}`, review, {
      decision: "rejected",
      reason: "Le terrain n'appartient pas à la CMCAS.",
    });
    assert.equal(rejected.status, 303);
    const anonymous = unescapeHtml((await supertest(instance.url).get(`/budgets/${id}`)).text);
    assert.match(anonymous, /Jardin partagé/);
    assert.match(anonymous, /Le terrain n'appartient pas à la CMCAS/);
  });

  it("shows the way to vote before the rules, and the envelope in the rule as every amount", async () => {
    const b = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Enveloppe 12000", envelope: 12000, rule: "knapsack" },
      [["Jardin", 4000]],
    );
    const voter = await loggedIn(instance, await createMember(instance));
    const page = await voter.get(`/budgets/${b.id}`).expect(200);
    const vote = page.text.indexOf(`href="/budgets/${b.id}/vote"`);
    assert.ok(vote > 0, "the vote link is on the page");
    // On a phone, what comes before the budget's facts is its first screen.
    assert.ok(vote < page.text.indexOf('class="budget-facts"'));
    const amount = new Intl.NumberFormat("fr").format(12000);
    assert.match(page.text, new RegExp(`enveloppe \\(${amount} €\\)`));
  });

  it("puts the ballot before the rules on the vote page", async () => {
    const b = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Bulletin d'abord", envelope: 5000, rule: "knapsack" },
      [["Composteur", 800]],
    );
    const voter = await loggedIn(instance, await createMember(instance));
    const page = await voter.get(`/budgets/${b.id}/vote`).expect(200);
    const ballot = page.text.indexOf("data-ballot");
    assert.ok(ballot > 0, "the ballot is on the page");
    // A phone's first screen: the ballot, then the budget's facts and counting rule.
    assert.ok(ballot < page.text.indexOf('class="budget-facts"'));
  });

  it("never lets a ballot exceed the envelope, recounts without JavaScript, and keeps ballots secret", async () => {
    const b = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Enveloppe 1000", envelope: 1000, rule: "knapsack" },
      [
        ["Ping-pong", 600],
        ["Bibliothèque", 500],
        ["Vélos", 300],
      ],
    );
    const p = b.projects;
    const voter = await loggedIn(instance, await createMember(instance));
    const recount = await submit(voter, `/budgets/${b.id}/vote`, `/budgets/${b.id}/vote`, {
      projects: p["Ping-pong"]!,
      recount: "1",
    });
    assert.equal(recount.status, 200);
    assert.match(unescapeHtml(recount.text), /Total choisi : 600 € \/ 1\u202f000 €/);
    const over = await voter
      .post(`/budgets/${b.id}/vote`)
      .type("form")
      .send(
        `_csrf=${encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(recount.text)![1]!)}` +
          `&projects=${p["Ping-pong"]}&projects=${p["Bibliothèque"]}`,
      );
    assert.equal(over.status, 422);
    assert.match(
      unescapeHtml(over.text),
      /fait 1\u202f100 €, au-delà de l'enveloppe de 1\u202f000 €/,
    );
    const count = async (table: "budget_ballots" | "budget_participations") =>
      (
        await instance.ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("budget_id", "=", b.id)
          .executeTakeFirstOrThrow()
      ).n;
    assert.equal(Number(await count("budget_participations")), 0, "nothing written");

    // 24 members at once, one in three over the envelope, and one member five more times.
    const members = await Promise.all(Array.from({ length: 24 }, () => createMember(instance)));
    const tokens = await Promise.all(members.map((m) => bearer(instance, m)));
    const client = supertest(instance.url);
    const choice = (i: number) =>
      i % 3 === 0
        ? [p["Ping-pong"]!, p["Bibliothèque"]!]
        : i % 3 === 1
          ? [p["Ping-pong"]!, p["Vélos"]!]
          : [p["Bibliothèque"]!, p["Vélos"]!];
    const answers = await Promise.all(
      [
        ...tokens.map((t, i) => [t, i] as const),
        ...[1, 1, 1, 1, 1].map((i) => [tokens[i]!, i] as const),
      ].map(([t, i]) =>
        client
          .post(`/api/v1/budgets/${b.id}/ballots`)
          .set("Authorization", t)
          .send({ projects: choice(i) }),
      ),
    );
    assert.equal(answers.filter((r) => r.status === 422).length, 8);
    assert.equal(answers.filter((r) => r.status === 201).length, 16);
    assert.equal(answers.filter((r) => r.status === 409).length, 5);
    assert.equal(Number(await count("budget_ballots")), 16);
    assert.equal(Number(await count("budget_participations")), 16);
    const totals = await instance.ctx.db
      .selectFrom("budget_ballots as b")
      .innerJoin("budget_ballot_choices as c", "c.ballot_id", "b.id")
      .innerJoin("budget_projects as p", "p.id", "c.project_id")
      .select(["b.id", (eb) => eb.fn.sum<number>("p.cost").as("total")])
      .where("b.budget_id", "=", b.id)
      .groupBy("b.id")
      .execute();
    assert.ok(
      totals.every((t) => Number(t.total) <= 1000),
      "no ballot above the envelope",
    );
    // Secret: the ballot has no column naming a voter, nor a time (a network ballot names the
    // sending instance only, ADR 0136).
    const columns = await instance.ctx.db
      .selectFrom("information_schema.columns" as never)
      .select("column_name as name" as never)
      .where("table_name" as never, "=", "budget_ballots" as never)
      .execute();
    const names = (columns as { name: string }[]).map((c) => c.name).sort();
    assert.deepEqual(names, [
      "budget_id",
      "entered_at",
      "entered_by",
      "id",
      "instance_host",
      "source",
    ]);
    const online = await instance.ctx.db
      .selectFrom("budget_ballots")
      .selectAll()
      .where("budget_id", "=", b.id)
      .execute();
    assert.ok(online.every((o) => o.entered_by === null && o.entered_at === null));
  });

  it("adds paper ballots apart, traced, and computes winners by the published rule with ties", async () => {
    const b = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Approbation 1000", envelope: 1000, rule: "approval" },
      [
        ["Fresque", 500],
        ["Composteur", 400],
        ["Ruches", 400],
        ["Scène", 700],
        ["Bancs", 150],
      ],
    );
    const p = b.projects;
    const tied = [p.Fresque!, p.Composteur!, p.Ruches!, p["Scène"]!];
    // Two online ballots approving the four, one paper ballot too; "Bancs" gets one paper vote.
    for (let i = 0; i < 2; i++) {
      const m = await createMember(instance);
      const res = await supertest(instance.url)
        .post(`/api/v1/budgets/${b.id}/ballots`)
        .set("Authorization", await bearer(instance, m))
        .send({ projects: tied });
      assert.equal(res.status, 201);
    }
    const paperPage = `/budgets/${b.id}/papier`;
    const enter = (ids: string[]) =>
      staff.get(paperPage).then((page) =>
        staff
          .post(paperPage)
          .type("form")
          .send(
            `_csrf=${encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(page.text)![1]!)}` +
              ids.map((id) => `&projects=${id}`).join(""),
          ),
      );
    assert.equal((await enter(tied)).status, 303);
    assert.equal((await enter([p.Bancs!])).status, 303);
    const member = await loggedIn(instance, await createMember(instance));
    assert.equal((await member.get(paperPage)).status, 403);
    const trace = await instance.ctx.db
      .selectFrom("budget_ballots")
      .select(["entered_by", "entered_at"])
      .where("budget_id", "=", b.id)
      .where("source", "=", "paper")
      .execute();
    assert.equal(trace.length, 2);
    assert.ok(trace.every((t) => t.entered_by === staffMember.user.id && t.entered_at));
    assert.match(unescapeHtml((await staff.get(paperPage)).text), /Saisi par Membre/);

    assert.equal((await supertest(instance.url).get(`/budgets/${b.id}/resultats`)).status, 404);
    await setPhase(instance, b.id, "results");
    const api = await supertest(instance.url).get(`/api/v1/budgets/${b.id}/results`);
    assert.equal(api.status, 200);
    const order = api.body.projects as {
      title: string;
      funded: boolean;
      online: number;
      paper: number;
    }[];
    // 3 votes each (2 online + 1 paper): cheaper first, then earlier submission; "Fresque" no
    // longer fits (200 € left) and is skipped, "Bancs" (1 vote, 150 €) still fits.
    assert.deepEqual(
      order.map((o) => [o.title, o.online, o.paper, o.funded]),
      [
        ["Composteur", 2, 1, true],
        ["Ruches", 2, 1, true],
        ["Fresque", 2, 1, false],
        ["Scène", 2, 1, false],
        ["Bancs", 0, 1, true],
      ],
    );
    assert.deepEqual(api.body.ballots, { online: 2, paper: 2 });
    assert.equal(api.body.spent, 950);
    const page = unescapeHtml(
      (await supertest(instance.url).get(`/budgets/${b.id}/resultats`)).text,
    );
    assert.match(page, /2 bulletin\(s\) en ligne et 2 bulletin\(s\) papier/);
    assert.match(page, /le projet le moins cher passe d'abord/);
    assert.match(page, /Financé/);

    // Follow-up of a winner, on its page.
    const projectPage = `/budgets/${b.id}/projets/${p.Composteur}`;
    const followed = await submit(staff, projectPage, `${projectPage}/suivi`, {
      status: "in_progress",
      happenedOn: "2027-03-15",
      note: "Commande passée auprès du fournisseur.",
    });
    assert.equal(followed.status, 303, followed.text.slice(0, 1000));
    const shown = unescapeHtml((await supertest(instance.url).get(projectPage)).text);
    assert.match(shown, /En cours/);
    assert.match(shown, /15 mars 2027/);
    assert.match(shown, /Commande passée/);
    const doc = await supertest(instance.url).get("/api/v1/openapi.json");
    assert.ok(doc.body.paths["/budgets/{id}/ballots"] && doc.body.paths["/budgets/{id}/results"]);
  });
});
