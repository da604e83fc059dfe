// Helpers of the participatory budgets' suites: a budget put in a given phase by moving its
// dates around now, and its projects put to the vote.
import fs from "node:fs";
import vm from "node:vm";
import type { TestInstance } from "../support/instance.ts";
import { unescapeHtml } from "../support/web.ts";
import * as budgets from "../../server/budgets/budgets.service.ts";

const BALLOT_SCRIPT = new URL("../../views/static/budgets-ballot.js", import.meta.url);

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

/**
 * The running total of a knapsack ballot page as the server wrote it, and as the ballot's own
 * script (views/static/budgets-ballot.js, run here on the page's form and ticked boxes) rewrites
 * it when the page loads: the two must read the same, or the total changes form at the first
 * box ticked.
 */
export function ballotTotals(html: string, lang = "fr"): { server: string; script: string } {
  const form = /<form[^>]*data-ballot[^>]*>[\s\S]*?<\/form>/.exec(html)?.[0];
  if (!form) throw new Error("no ballot form on the page");
  // An attribute's value ("" when it has none, as `checked`), null when it is absent.
  const attr = (tag: string, name: string) => {
    const found = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s>])`).exec(tag);
    return found ? (found[1] ?? "") : null;
  };
  const server = /data-total>([^<]*)<\/p>/.exec(form)?.[1];
  if (server === undefined) throw new Error("no running total on the ballot");
  const out = { textContent: "", classList: { toggle: () => undefined } };
  const boxes = [...form.matchAll(/<input type="checkbox"[^>]*>/g)].map(([tag]) => ({
    checked: attr(tag, "checked") !== null,
    getAttribute: (name: string) => attr(tag, name),
    addEventListener: () => undefined,
  }));
  const formTag = /<form[^>]*>/.exec(form)![0];
  const element = {
    getAttribute: (name: string) => attr(formTag, name),
    querySelector: () => out,
    querySelectorAll: () => boxes,
  };
  const document = { querySelector: () => element, documentElement: { lang } };
  vm.runInNewContext(fs.readFileSync(BALLOT_SCRIPT, "utf8"), { document });
  return { server: unescapeHtml(server), script: out.textContent };
}
