// Proposals to network budgets (ADR 0138) for the accessibility scan: on a member instance, a
// network budget in its proposals phase (the page offering "Proposer un projet"), the proposal
// form empty and in its error state with a proposal already decided; on the organiser, the
// budget's page listing a proposal from another instance for review.
import { saveRemoteBudget } from "../../server/budgets/remote.service.ts";
import { savePhase } from "../../server/budgets/network-proposals.service.ts";
import type { TestInstance } from "../support/instance.ts";
import { budgetWithProjects, setPhase } from "../participation/support.ts";
import type { PageEntry, PageSource, PageUsers } from "./harness.ts";

const H = 3_600_000;

async function fixtures(instance: TestInstance, users: PageUsers) {
  const { ctx } = instance;
  const now = Date.now();
  const uri = "https://hub.exemple.fr/budgets/0b6c2f7e-5d1a-4c1e-9d8f-3a2b1c0d9e8f";
  const organiserUri = "https://hub.exemple.fr/users/cmcas";
  const remoteId = await ctx.transaction(async (tx) => {
    await saveRemoteBudget(tx, ctx.config.publicUrl, {
      uri,
      url: uri,
      organiserUri,
      territory: "CCAS",
      title: "Budget national des jardins",
      description: "Des jardins partagés dans toutes les CMCAS.",
      envelope: 5000,
      rule: "knapsack",
      projects: [],
      startsAt: new Date(now + 48 * H),
      endsAt: new Date(now + 96 * H),
      closed: false,
      results: null,
    });
    await savePhase(tx, uri, organiserUri, {
      opensAt: new Date(now - 24 * H),
      closesAt: new Date(now + 24 * H),
    });
    const row = await tx.db
      .selectFrom("budget_remote")
      .select("id")
      .where("uri", "=", uri)
      .executeTakeFirstOrThrow();
    await tx.db
      .insertInto("budget_remote_proposals")
      .values({
        remote_id: row.id,
        user_id: users.member.user.id,
        activity_id: `${ctx.config.publicUrl.href}activities/axe-proposal`,
        title: "Jardin de la gare",
        description: "Des bacs devant la gare.",
        cost: 900,
        shown_name: "Camille",
        status: "rejected",
        reason: "Le terrain n'appartient pas à la CMCAS.",
      })
      .execute();
    return row.id;
  });
  // On this instance as organiser: a network budget with a proposal from another instance.
  const own = await budgetWithProjects(
    instance,
    users.staff.user.id,
    { title: "Budget du réseau 2028", envelope: 3000, rule: "approval", audience: "network" },
    [],
  );
  await setPhase(instance, own.id, "proposals");
  await ctx.db
    .insertInto("budget_projects")
    .values({
      budget_id: own.id,
      author_id: null,
      title: "Fresque murale",
      description: "Une fresque peinte par les jeunes du quartier.",
      cost: 400,
      origin_host: "b.exemple.fr",
      origin_actor: "https://b.exemple.fr/actor",
      origin_activity: "https://b.exemple.fr/activities/axe-offer",
      origin_name: "Sam",
    })
    .execute();
  return { remoteId, ownId: own.id };
}

export const pages: PageSource = async ({ instance, users }) => {
  const f = await fixtures(instance, users);
  const form = `/budgets/reseau/${f.remoteId}/proposer`;
  const entries: PageEntry[] = [
    { path: `/budgets/reseau/${f.remoteId}`, as: "member" },
    { path: form, as: "member" },
    {
      path: form,
      as: "member",
      prepare: async (page) => {
        await page.fill("#field-title", "x");
        await page.evaluate(() =>
          document.querySelectorAll("[required], [maxlength], [min], [max]").forEach((el) => {
            el.removeAttribute("required");
            el.removeAttribute("min");
            el.removeAttribute("max");
          }),
        );
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
    { path: `/budgets/${f.ownId}`, as: "staff" },
  ];
  return entries.map((e) => ({ ...e, phone: true }));
};
