// The idea box and the participatory budgets for the accessibility scan: an idea awaiting an
// answer with a comment, a budget in each phase that has pages of its own (proposals, vote,
// results with a winner's follow-up), the forms in their error states, and the printable pages.
import { propose, answer, findIdea, support } from "../../server/ideas/ideas.service.ts";
import * as budgets from "../../server/budgets/budgets.service.ts";
import { editBudget } from "../../server/budgets/edit.service.ts";
import type { TestInstance } from "../support/instance.ts";
import { budgetWithProjects, setPhase } from "../participation/support.ts";
import type { PageEntry, PageSource, PageUsers } from "./harness.ts";

export async function participationFixtures(instance: TestInstance, users: PageUsers) {
  const { ctx } = instance;
  const created = await propose(ctx.db, users.member.user.id, {
    category: "activities",
    title: "Une sortie raquettes en février",
    body: "Pour les familles, avec du matériel prêté par la CMCAS.",
  });
  if (!created.ok) throw new Error("idea refused");
  const idea = (await findIdea(ctx.db, created.value.id))!;
  await ctx.transaction((tx) => support(tx, idea, users.staff.user.id));
  await ctx.transaction((tx) =>
    answer(
      tx,
      { publicUrl: ctx.config.publicUrl },
      {
        idea,
        staffId: users.staff.user.id,
        status: "studying",
        body: "Nous regardons les dates possibles.",
      },
    ),
  );
  const projects: [string, number][] = [
    ["Jardin partagé", 1200],
    ["Boîte à livres", 300],
    ["Atelier vélo", 900],
  ];
  const vote = await budgetWithProjects(
    instance,
    users.staff.user.id,
    { title: "Budget participatif 2027", envelope: 2000, rule: "knapsack" },
    projects,
  );
  const done = await budgetWithProjects(
    instance,
    users.staff.user.id,
    { title: "Budget participatif 2026", envelope: 2000, rule: "approval" },
    projects,
  );
  const budget = (await budgets.findBudget(ctx.db, done.id))!;
  await ctx.transaction((tx) =>
    budgets.vote(tx, budget, users.member.user.id, [done.projects["Jardin partagé"]!]),
  );
  await setPhase(instance, done.id, "results");
  const winner = (await budgets.findProject(ctx.db, done.id, done.projects["Jardin partagé"]!))!;
  await budgets.addUpdate(ctx.db, winner, users.staff.user.id, {
    status: "in_progress",
    note: "Bacs commandés.",
    happenedOn: "2026-11-02",
  });
  const proposals = await budgetWithProjects(
    instance,
    users.staff.user.id,
    { title: "Budget des jeunes", envelope: 800, rule: "approval" },
    [["Tournoi de jeux", 200]],
  );
  await setPhase(instance, proposals.id, "proposals");
  // An edit, so that the budget's page shows its public history (ADR 0139).
  await ctx.transaction((tx) =>
    editBudget(tx, proposals.id, users.staff.user.id, { envelope: 900, rule: "knapsack" }),
  );
  const upcoming = await budgetWithProjects(
    instance,
    users.staff.user.id,
    { title: "Budget des quartiers", envelope: 3000, rule: "knapsack" },
    [],
  );
  await setPhase(instance, upcoming.id, "upcoming");
  return { ideaId: idea.id, vote, done, proposals, upcoming };
}

export const pages: PageSource = async ({ instance, users }) => {
  const f = await participationFixtures(instance, users);
  const entries: PageEntry[] = [
    { path: "/idees", as: "anonymous" },
    { path: "/idees?category=functioning", as: "member" },
    { path: `/idees/${f.ideaId}`, as: "member" },
    { path: `/idees/${f.ideaId}`, as: "staff" },
    { path: "/idees/nouvelle", as: "member" },
    {
      path: "/idees/nouvelle",
      as: "member",
      prepare: async (page) => {
        await page.fill("#field-title", "x");
        await page.fill("#field-body", "court");
        await page.evaluate(() =>
          document.querySelectorAll("[required], [maxlength]").forEach((el) => {
            el.removeAttribute("required");
          }),
        );
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
    { path: "/idees/a-repondre", as: "staff" },
    { path: "/idees/moderation", as: "anonymous" },
    { path: `/idees/${f.ideaId}/moderate`, as: "moderator" },
    { path: "/budgets", as: "anonymous" },
    { path: "/budgets/nouveau", as: "staff" },
    { path: `/budgets/${f.proposals.id}`, as: "staff" },
    { path: `/budgets/${f.proposals.id}/proposer`, as: "member" },
    { path: `/budgets/${f.vote.id}`, as: "member" },
    { path: `/budgets/${f.vote.id}/vote`, as: "member" },
    { path: `/budgets/${f.vote.id}/papier`, as: "staff" },
    { path: `/budgets/${f.vote.id}/bulletin`, as: "anonymous" },
    { path: `/budgets/${f.done.id}`, as: "anonymous" },
    { path: `/budgets/${f.done.id}/resultats`, as: "anonymous" },
    { path: `/budgets/${f.done.id}/projets/${f.done.projects["Jardin partagé"]}`, as: "staff" },
    { path: `/budgets/${f.upcoming.id}/modifier`, as: "staff" },
    { path: `/budgets/${f.vote.id}/modifier`, as: "staff" },
    {
      // The edit form in its error state: an envelope below a proposed project's cost.
      path: `/budgets/${f.proposals.id}/modifier`,
      as: "staff",
      prepare: async (page) => {
        await page.fill("#field-envelope", "10");
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
  ];
  return entries.map((e) => ({ ...e, phone: true }));
};
