// A member instance's pages of the network's participatory budgets, for the accessibility scan
// (ADR 0136, 0137): a budget received from the hub whose vote is open (its page with the vote
// form, the form recounted over the envelope, its printable paper ballot) and a closed one with
// the results the organiser published. They are put in place as the inbox keeps a received
// budget, through the budgets' service (saveRemoteBudget): that is setup, not what is scanned.
import { saveRemoteBudget } from "../../server/budgets/remote.service.ts";
import type { RemoteBudgetInput } from "../../server/budgets/remote.service.ts";
import type { TestInstance } from "../support/instance.ts";
import type { PageEntry, PageSource } from "./harness.ts";

const HUB = "https://hub-ccas.example";
const DAY = 24 * 3600_000;

const project = (n: number, title: string, cost: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  title,
  cost,
  url: `${HUB}/budgets/p/${n}`,
});

/** Two budgets of the hub as this instance keeps them: one open to vote, one closed. */
export async function networkBudgetFixtures(instance: TestInstance) {
  const { ctx } = instance;
  const now = Date.now();
  const projects = [
    project(1, "Rénovation du centre de vacances de Savines-le-Lac", 6000),
    project(2, "Séjours linguistiques pour les 15–17 ans", 3500),
    project(3, "Bibliothèque itinérante des territoires ruraux", 2500),
  ];
  const base = {
    organiserUri: `${HUB}/users/cmcas`,
    territory: "CCAS — Caisse centrale",
    description:
      "Un budget national : chaque CMCAS du réseau vote ici, l'organisateur compte.\nLes projets retenus seront suivis sur leur page.",
    envelope: 10000,
    projects,
  };
  const open: RemoteBudgetInput = {
    ...base,
    uri: `${HUB}/budgets/11111111-1111-4111-8111-111111111111`,
    url: `${HUB}/budgets/11111111-1111-4111-8111-111111111111`,
    title: "Budget national des activités sociales 2027",
    rule: "knapsack",
    startsAt: new Date(now - DAY),
    endsAt: new Date(now + 14 * DAY),
    closed: false,
    results: null,
  };
  const closed: RemoteBudgetInput = {
    ...base,
    uri: `${HUB}/budgets/22222222-2222-4222-8222-222222222222`,
    url: `${HUB}/budgets/22222222-2222-4222-8222-222222222222`,
    title: "Budget national des activités sociales 2026",
    rule: "approval",
    startsAt: new Date(now - 40 * DAY),
    endsAt: new Date(now - 10 * DAY),
    closed: true,
    results: {
      ballots: 412,
      byChannel: { online: 180, paper: 32, network: 200 },
      byInstance: [
        { host: "cmcas-lyon.example", ballots: 120 },
        { host: "cmcas-grenoble.example", ballots: 80 },
      ],
      projects: [
        { id: projects[0]!.id, votes: 250, rank: 1, funded: true },
        { id: projects[2]!.id, votes: 190, rank: 2, funded: true },
        { id: projects[1]!.id, votes: 120, rank: 3, funded: false },
      ],
    },
  };
  for (const input of [open, closed])
    await ctx.transaction((tx) => saveRemoteBudget(tx, ctx.config.publicUrl, input));
  const idOf = async (uri: string) =>
    (
      await ctx.db
        .selectFrom("budget_remote")
        .select("id")
        .where("uri", "=", uri)
        .executeTakeFirstOrThrow()
    ).id;
  return { open: await idOf(open.uri), closed: await idOf(closed.uri), projects };
}

export const pages: PageSource = async ({ instance }) => {
  const f = await networkBudgetFixtures(instance);
  const entries: PageEntry[] = [
    { path: `/budgets/reseau/${f.open}`, as: "anonymous" },
    { path: `/budgets/reseau/${f.open}`, as: "member" },
    {
      // The vote form recounted without JavaScript, over the envelope.
      path: `/budgets/reseau/${f.open}`,
      as: "member",
      prepare: async (page) => {
        for (const p of f.projects) await page.check(`#p-${p.id}`);
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[name=recount]"),
        ]);
      },
    },
    { path: `/budgets/reseau/${f.open}/bulletin`, as: "anonymous" },
    { path: `/budgets/reseau/${f.closed}`, as: "member" },
  ];
  return entries.map((e) => ({ ...e, phone: true }));
};
