// Helpers of the participatory budgets' suites: a budget put in a given phase by moving its
// dates around now, and its projects put to the vote.
import type { TestInstance } from "../support/instance.ts";
import * as budgets from "../../server/budgets/budgets.service.ts";

const H = 3_600_000;
const OFFSETS: Record<budgets.Phase, [number, number, number, number]> = {
  upcoming: [24, 48, 72, 96],
  proposals: [-24, 24, 48, 72],
  review: [-72, -24, 24, 48],
  vote: [-72, -48, -24, 24],
  results: [-96, -72, -48, -1],
};

export async function setPhase(instance: TestInstance, id: string, phase: budgets.Phase) {
  const [a, b, c, d] = OFFSETS[phase].map((h) => new Date(Date.now() + h * H));
  await instance.ctx.db
    .updateTable("budgets")
    .set({ proposals_open_at: a!, proposals_close_at: b!, vote_open_at: c!, vote_close_at: d! })
    .where("id", "=", id)
    .execute();
}

/** A budget in the vote with accepted projects (title → cost), submitted in the given order. */
export async function budgetWithProjects(
  instance: TestInstance,
  staffId: string,
  input: {
    title: string;
    envelope: number;
    rule: "knapsack" | "approval";
    audience?: "instance" | "network";
  },
  projects: [string, number][],
): Promise<{ id: string; projects: Record<string, string> }> {
  const { db } = instance.ctx;
  const [a, b, c, d] = OFFSETS.proposals.map((h) => new Date(Date.now() + h * H));
  const created = await budgets.createBudget(db, staffId, {
    ...input,
    description: "",
    proposalsOpenAt: a!,
    proposalsCloseAt: b!,
    voteOpenAt: c!,
    voteCloseAt: d!,
  });
  if (!created.ok) throw new Error(JSON.stringify(created.details));
  const budget = (await budgets.findBudget(db, created.value.id))!;
  const ids: Record<string, string> = {};
  for (const [title, cost] of projects) {
    const done = await budgets.proposeProject(db, budget, staffId, {
      title,
      description: `Le projet ${title}, décrit en quelques mots.`,
      cost,
    });
    if (!done.ok) throw new Error(done.error);
    ids[title] = done.value.id;
    const project = (await budgets.findProject(db, budget.id, done.value.id))!;
    await budgets.reviewProject(db, budget, project, staffId, { decision: "accepted", reason: "" });
  }
  await setPhase(instance, budget.id, "vote");
  return { id: budget.id, projects: ids };
}
