// Editing a participatory budget (ADR 0139): everything before the proposals open; then the
// texts, envelope, rule and audience until the vote opens (the calendar is locked, the page says
// why); from the vote on only the texts. An envelope never below a project's cost; a network
// budget once published stays one; a budget turned network before its vote is published by the
// job. Every change is in the budget's public history; a refused edit writes nothing. And the
// budgets' own cap on network votes per instance, apart from the consultations' one.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import supertest from "supertest";
import { DateTime } from "luxon";
import { publishDue } from "../../server/budgets/budgets.jobs.ts";
import { publishProposalsDue } from "../../server/budgets/network-proposals.jobs.ts";
import * as budgets from "../../server/budgets/budgets.service.ts";
import { budgetVoteCap, receiveNetworkVote } from "../../server/budgets/network.service.ts";
import { saveSettings } from "../plugins/support.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { budgetWithProjects, setPhase } from "./support.ts";

// Whole days from now, at a fixed local hour: never depends on the hour the suite runs at.
const day = (days: number, hour = 10) =>
  DateTime.now()
    .setZone("Europe/Paris")
    .plus({ days })
    .set({ hour, minute: 0 })
    .toFormat("yyyy-MM-dd'T'HH:mm");

describe(`participation: editing a participatory budget (${MODE})`, () => {
  let instance: TestInstance;
  let staffMember: Member;
  let staff: Agent;

  before(async () => {
    instance = await startTestInstance();
    staffMember = await createMember(instance, "admin");
    staff = await loggedIn(instance, staffMember);
  });
  after(() => instance.destroy());

  const row = (id: string) =>
    instance.ctx.db
      .selectFrom("budgets")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  const edits = (id: string) =>
    instance.ctx.db.selectFrom("budget_edits").selectAll().where("budget_id", "=", id).execute();
  const edit = (id: string, fields: Record<string, string | number>) =>
    submit(staff, `/budgets/${id}/modifier`, `/budgets/${id}/modifier`, fields);

  async function upcoming(title: string, projects: [string, number][] = []) {
    const made = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title, envelope: 3000, rule: "knapsack" },
      projects,
    );
    await setPhase(instance, made.id, "upcoming");
    return made;
  }

  it("lets staff change everything before the proposals open, traced in a public history", async () => {
    const { id } = await upcoming("Budget des quartiers");
    const member = await loggedIn(instance, await createMember(instance));
    assert.equal((await member.get(`/budgets/${id}/modifier`)).status, 403);
    const form = unescapeHtml((await staff.get(`/budgets/${id}/modifier`)).text);
    assert.match(form, /name="title"[^>]*value="Budget des quartiers"/);
    assert.match(form, /name="envelope"[^>]*value="3000"/);
    assert.match(form, /id="rule-knapsack" name="rule" value="knapsack" checked/);
    assert.match(form, /id="audience-instance" name="audience" value="instance" checked/);
    assert.match(form, /name="voteOpenAt" type="datetime-local" value="\d{4}-\d\d-\d\dT\d\d:\d\d"/);
    assert.match(form, /tout peut être modifié/);

    // Bad input: the form again with its messages, and nothing written.
    const before = await row(id);
    const bad = await edit(id, {
      title: "x",
      envelope: "4000",
      voteOpenAt: day(10),
      voteCloseAt: day(9),
    });
    assert.equal(bad.status, 422);
    const badPage = unescapeHtml(bad.text);
    assert.match(badPage, /Donnez un titre de 3 à 150 caractères/);
    assert.match(badPage, /Les dates doivent se suivre/);
    assert.match(badPage, /name="envelope"[^>]*value="4000"/, "what was typed is kept");
    // Moving one date past the next one is refused too (not a 500 from the table's check).
    const late = await edit(id, { proposalsCloseAt: day(40) });
    assert.equal(late.status, 422);
    assert.match(unescapeHtml(late.text), /Les dates doivent se suivre/);
    assert.deepEqual(await row(id), before);
    assert.equal((await edits(id)).length, 0);

    const res = await edit(id, {
      title: "Budget des quartiers 2027",
      description: "Des projets pour chaque quartier.",
      envelope: "4 000",
      rule: "approval",
      audience: "instance",
      proposalsOpenAt: day(2),
      proposalsCloseAt: day(9),
      voteOpenAt: day(12),
      voteCloseAt: day(20),
    });
    assert.equal(res.status, 303, res.text.slice(0, 1500));
    const after = await row(id);
    assert.equal(after.title, "Budget des quartiers 2027");
    assert.equal(after.envelope, 4000);
    assert.equal(after.rule, "approval");
    assert.equal(
      +after.vote_open_at,
      +new Date(DateTime.fromISO(day(12), { zone: "Europe/Paris" }).toMillis()),
    );
    const [trace] = await edits(id);
    assert.equal(trace!.edited_by, staffMember.user.id);
    const fields = (
      (typeof trace!.changes === "string" ? JSON.parse(trace!.changes) : trace!.changes) as {
        field: string;
      }[]
    ).map((c) => c.field);
    assert.deepEqual(fields, [
      "title",
      "description",
      "envelope",
      "rule",
      "proposalsOpenAt",
      "proposalsCloseAt",
      "voteOpenAt",
      "voteCloseAt",
    ]);
    // The history is public: who, when, what.
    const page = unescapeHtml((await supertest(instance.url).get(`/budgets/${id}`)).text);
    assert.match(page, /Historique des modifications/);
    assert.match(page, new RegExp(`par ${staffMember.displayName}`));
    assert.match(page, /Enveloppe : 3[\s\u202f\u00a0]000 € → 4[\s\u202f\u00a0]000 €/);
    assert.match(page, /Règle de vote : Vote dans l'enveloppe → /);
    assert.match(page, /Présentation : texte modifié/);
    assert.match(page, /Ouverture du vote : <time/);

    // The same form sent again changes nothing and adds no trace.
    const same = await edit(id, { title: "Budget des quartiers 2027", envelope: "4000" });
    assert.equal(same.status, 303);
    assert.equal((await edits(id)).length, 1);
  });

  it("locks the calendar once proposals are open; envelope, rule and audience stay open", async () => {
    const { id } = await upcoming("Budget des jeunes", [["Tournoi", 800]]);
    await setPhase(instance, id, "proposals");
    const form = unescapeHtml((await staff.get(`/budgets/${id}/modifier`)).text);
    assert.match(form, /le calendrier annoncé aux membres ne change plus/);
    assert.doesNotMatch(form, /name="voteOpenAt"/);
    assert.match(form, /Ce qui ne peut plus changer[\s\S]*Ouverture du vote/);
    assert.match(form, /name="envelope"/);
    assert.match(form, /name="rule"/);
    assert.match(form, /name="audience"/);

    const before = await row(id);
    const locked = await edit(id, { envelope: "2000", voteOpenAt: day(30) });
    assert.equal(locked.status, 422);
    assert.match(
      unescapeHtml(locked.text),
      /Ce champ ne peut plus changer : le dépôt des projets est ouvert/,
    );
    const below = await edit(id, { envelope: "500" });
    assert.equal(below.status, 422);
    assert.match(unescapeHtml(below.text), /le plus cher : 800 €/);
    assert.deepEqual(await row(id), before, "a refused edit writes nothing");
    assert.equal((await edits(id)).length, 0);

    const res = await edit(id, { envelope: "2000", rule: "approval" });
    assert.equal(res.status, 303);
    const after = await row(id);
    assert.equal(after.envelope, 2000);
    assert.equal(after.rule, "approval");
    assert.equal(+after.vote_open_at, +before.vote_open_at);
  });

  it("leaves only the texts once the vote is open, and says so", async () => {
    const { id, projects } = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Budget voté", envelope: 1000, rule: "knapsack" },
      [["Jardin", 600]],
    );
    const form = unescapeHtml((await staff.get(`/budgets/${id}/modifier`)).text);
    assert.match(form, /Seuls le titre et la présentation restent modifiables/);
    assert.doesNotMatch(form, /name="envelope"/);
    assert.doesNotMatch(form, /name="rule"/);
    assert.doesNotMatch(form, /name="audience"/);
    const tries: Record<string, string>[] = [
      { envelope: "900" },
      { rule: "approval" },
      { audience: "network" },
    ];
    for (const fields of tries) {
      const res = await edit(id, fields);
      assert.equal(res.status, 422, JSON.stringify(fields));
      assert.match(
        unescapeHtml(res.text),
        /Ce champ ne peut plus changer : le vote est ouvert ou clos/,
      );
    }
    assert.equal((await row(id)).envelope, 1000);
    const ok = await edit(id, { description: "Votez pour le jardin ou non." });
    assert.equal(ok.status, 303);
    assert.equal((await row(id)).description, "Votez pour le jardin ou non.");
    assert.ok(projects.Jardin);
  });

  it("publishes a budget turned network before its vote; once published it stays network", async () => {
    const { id } = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Budget élargi", envelope: 1000, rule: "knapsack" },
      [["Fresque", 300]],
    );
    await setPhase(instance, id, "review");
    assert.equal((await edit(id, { audience: "network" })).status, 303);
    assert.equal((await row(id)).audience, "network");
    await setPhase(instance, id, "vote");
    assert.ok((await publishDue(instance.ctx)) >= 1);
    const published = await instance.ctx.db
      .selectFrom("budget_publications")
      .select("budget_id")
      .where("budget_id", "=", id)
      .executeTakeFirst();
    assert.ok(published, "published by budgets.publishDue");
    // Dates put back before the vote, to reach the rule beyond the vote's lock.
    await setPhase(instance, id, "review");
    const form = unescapeHtml((await staff.get(`/budgets/${id}/modifier`)).text);
    assert.match(form, /Ce budget est publié au réseau/);
    const back = await edit(id, { audience: "instance" });
    assert.equal(back.status, 422);
    assert.match(unescapeHtml(back.text), /Ce budget est déjà publié au réseau/);
    assert.equal((await row(id)).audience, "network");
  });

  it("keeps a budget network once published at its proposals' opening, before any vote", async () => {
    const { id } = await upcoming("Budget des quartiers du réseau", [["Banc", 200]]);
    await setPhase(instance, id, "proposals");
    assert.equal((await edit(id, { audience: "network" })).status, 303);
    assert.ok((await publishProposalsDue(instance.ctx)) >= 1);
    const back = await edit(id, { audience: "instance" });
    assert.equal(back.status, 422);
    assert.match(unescapeHtml(back.text), /Ce budget est déjà publié au réseau/);
    assert.equal((await row(id)).audience, "network");
  });

  it("caps network ballots per instance by the budgets' own setting, not the consultations'", async () => {
    const { id, projects } = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Budget plafonné", envelope: 1000, rule: "approval", audience: "network" },
      [["Vélos", 500]],
    );
    const budget = (await budgets.findBudget(instance.ctx.db, id))!;
    const ballot = (n: number) =>
      instance.ctx.transaction(async (tx) =>
        receiveNetworkVote(
          tx,
          budget,
          {
            host: "a.example",
            token: `${n}-${crypto.randomBytes(18).toString("base64url")}`,
            projects: [projects["Vélos"]!],
          },
          { allowed: true, perInstanceCap: await budgetVoteCap(tx) },
        ),
      );
    await saveSettings(staff, "budgets", { perInstanceCap: 1 });
    await saveSettings(staff, "consultations", { mastodonVotes: "ignore", perInstanceCap: 0 });
    assert.equal((await ballot(1)).ok, true);
    const second = await ballot(2);
    assert.equal(second.ok, false);
    assert.equal(!second.ok && second.error, "cap");
    // And the other way round: the consultations' cap does not apply to budgets.
    await saveSettings(staff, "budgets", { perInstanceCap: 0 });
    await saveSettings(staff, "consultations", { mastodonVotes: "ignore", perInstanceCap: 1 });
    assert.equal((await ballot(3)).ok, true);
    await saveSettings(staff, "consultations", { mastodonVotes: "ignore", perInstanceCap: 0 });
  });
});
