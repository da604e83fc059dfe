// Every amount a participatory budget's pages put into a sentence is written as the page writes
// every other amount, in the page's number format ("12 000 €", grouped with the narrow no-break
// space U+202F in French), never as the raw integer: the rule's text, the ballot's legend and
// running total, the proposal forms, the paper ballots, the results' spending line and the
// errors, on a local budget and on a network budget this instance received. The running total
// the server writes reads exactly as the ballot's script rewrites it, so that it does not change
// form at the first box ticked; and a network budget's ballot comes before its facts.
import assert from "node:assert/strict";
import supertest from "supertest";
import { savePhase } from "../../server/budgets/network-proposals.service.ts";
import { saveRemoteBudget, type RemoteBudgetInput } from "../../server/budgets/remote.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { ballotTotals, budgetWithProjects, setPhase } from "./support.ts";

// Written out rather than computed with Intl, so that a raw "12000" or another space fails.
const NNBSP = "\u202f";
const eur = (thousands: number, rest = "000") => `${thousands}${NNBSP}${rest} €`;

const HUB = "https://hub-ccas.example";
const DAY = 24 * 3600_000;

describe(`participation: budget amounts written as every amount (${MODE})`, () => {
  let instance: TestInstance;
  let staffMember: Member;
  let voter: Agent;

  before(async () => {
    instance = await startTestInstance();
    staffMember = await createMember(instance, "staff");
    voter = await loggedIn(instance, await createMember(instance));
  });
  after(() => instance.destroy());

  const text = async (agent: Agent | ReturnType<typeof supertest>, path: string) => {
    const res = await agent.get(path);
    assert.equal(res.status, 200, path);
    return unescapeHtml(res.text);
  };

  it("groups the amounts of a local budget's forms, ballots, errors and results", async () => {
    const b = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Budget des grands projets", envelope: 12000, rule: "knapsack" },
      [
        ["Jardin", 5000],
        ["Gymnase", 8000],
      ],
    );
    const propose = await text(voter, `/budgets/${b.id}/proposer`);
    assert.ok(propose.includes(`ne peut pas dépasser l'enveloppe (${eur(12)})`));

    const ballot = (await voter.get(`/budgets/${b.id}/vote`)).text;
    assert.ok(unescapeHtml(ballot).includes(`dont le total ne dépasse pas ${eur(12)}</legend>`));
    const empty = ballotTotals(ballot);
    assert.equal(empty.server, `Total choisi : 0 € / ${eur(12)}`);
    assert.equal(empty.server, empty.script, "the script's total reads as the server's");

    // Recounted without JavaScript, over the envelope: the same again, with the warning.
    const chosen = `_csrf=${encodeURIComponent(csrfFrom(ballot))}&projects=${b.projects.Jardin}&projects=${b.projects.Gymnase}`;
    const both = await voter.post(`/budgets/${b.id}/vote`).type("form").send(`${chosen}&recount=1`);
    assert.equal(both.status, 200);
    const over = ballotTotals(both.text);
    assert.equal(over.server, `Total choisi : ${eur(13)} / ${eur(12)} — au-delà de l'enveloppe`);
    assert.equal(over.server, over.script);
    const refused = await voter.post(`/budgets/${b.id}/vote`).type("form").send(chosen);
    assert.equal(refused.status, 422);
    assert.ok(
      unescapeHtml(refused.text).includes(
        `Votre sélection fait ${eur(13)}, au-delà de l'enveloppe de ${eur(12)}`,
      ),
    );

    const paper = await text(supertest(instance.url), `/budgets/${b.id}/bulletin`);
    assert.ok(paper.includes(`leur total ne doit pas dépasser ${eur(12)}, sinon`));

    const cast = await submit(voter, `/budgets/${b.id}/vote`, `/budgets/${b.id}/vote`, {
      projects: b.projects.Gymnase!,
    });
    assert.equal(cast.status, 303);
    await setPhase(instance, b.id, "results");
    const results = await text(supertest(instance.url), `/budgets/${b.id}/resultats`);
    assert.ok(results.includes(`Projets financés : ${eur(8)} sur ${eur(12)} (reste ${eur(4)}).`));
  });

  it("groups the dearest project's cost when the envelope is set below it", async () => {
    const b = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Budget à revoir", envelope: 20000, rule: "knapsack" },
      [["Salle de sport", 15250]],
    );
    await setPhase(instance, b.id, "proposals");
    const staff = await loggedIn(instance, staffMember);
    const below = await submit(staff, `/budgets/${b.id}/modifier`, `/budgets/${b.id}/modifier`, {
      envelope: "100",
    });
    assert.equal(below.status, 422);
    assert.ok(unescapeHtml(below.text).includes(`le plus cher : ${eur(15, "250")}`));
  });

  it("groups a network budget's amounts, and puts its ballot before its facts", async () => {
    const now = Date.now();
    const uri = `${HUB}/budgets/33333333-3333-4333-8333-333333333333`;
    const input: RemoteBudgetInput = {
      uri,
      url: uri,
      organiserUri: `${HUB}/users/cmcas`,
      territory: "CCAS",
      title: "Budget national des grands projets",
      description: "Un budget du réseau.",
      envelope: 10000,
      rule: "knapsack",
      projects: [
        { id: "p1", title: "Centre de vacances", cost: 6000, url: `${HUB}/budgets/p/1` },
        { id: "p2", title: "Bibliothèque itinérante", cost: 5500, url: `${HUB}/budgets/p/2` },
      ],
      startsAt: new Date(now - DAY),
      endsAt: new Date(now + 14 * DAY),
      closed: false,
      results: null,
    };
    const { ctx } = instance;
    await ctx.transaction(async (tx) => {
      await saveRemoteBudget(tx, ctx.config.publicUrl, input);
      await savePhase(tx, uri, input.organiserUri, {
        opensAt: new Date(now - DAY),
        closesAt: new Date(now + DAY),
      });
    });
    const { id } = await ctx.db
      .selectFrom("budget_remote")
      .select("id")
      .where("uri", "=", uri)
      .executeTakeFirstOrThrow();
    const path = `/budgets/reseau/${id}`;
    const rule = `dont le total ne dépasse pas l'enveloppe (${eur(10)})`;

    const html = (await voter.get(path)).text;
    const page = unescapeHtml(html);
    assert.ok(page.includes(rule), "the rule's text");
    assert.ok(page.includes(`dont le total ne dépasse pas ${eur(10)}</legend>`));
    const totals = ballotTotals(html);
    assert.equal(totals.server, `Total choisi : 0 € / ${eur(10)}`);
    assert.equal(totals.server, totals.script);
    // On a phone, what comes before the budget's facts is its first screen: the ballot.
    const form = html.indexOf(`<form method="post" action="${path}/vote"`);
    assert.ok(form > 0, "the ballot is on the page");
    assert.ok(form < html.indexOf('class="budget-facts"'), "the ballot before the facts");
    const anonymous = (await supertest(instance.url).get(path)).text;
    const login = anonymous.indexOf(`href="/login?next=${path}"`);
    assert.ok(login > 0 && login < anonymous.indexOf('class="budget-facts"'));

    const both = await voter
      .post(`${path}/vote`)
      .type("form")
      .send(`_csrf=${encodeURIComponent(csrfFrom(html))}&recount=1&projects=p1&projects=p2`);
    assert.equal(both.status, 200);
    const over = ballotTotals(both.text);
    assert.equal(
      over.server,
      `Total choisi : ${eur(11, "500")} / ${eur(10)} — au-delà de l'enveloppe`,
    );
    assert.equal(over.server, over.script);

    const paper = await text(supertest(instance.url), `${path}/bulletin`);
    assert.ok(paper.includes(rule), "the paper ballot's rule");
    assert.ok(paper.includes(`leur total ne doit pas dépasser ${eur(10)}, sinon`));

    const propose = await text(voter, `${path}/proposer`);
    assert.ok(propose.includes(`ne peut pas dépasser l'enveloppe (${eur(10)})`));
  });
});
