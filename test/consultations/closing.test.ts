// Results at the close date with no staff action (issue 13): the scheduler's jobs close the
// consultations whose date came, tell their participants once (below the quorum, that the result
// is not representative), and tell the voters of a participatory budget its results once its
// vote has closed. Each job run a second time tells no one again.
import assert from "node:assert/strict";
import supertest from "supertest";
import type { JobType } from "../../server/jobs/job-types.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { budgetWithProjects, setPhase } from "../participation/support.ts";
import { vote } from "../../server/budgets/budgets.service.ts";
import { findBudget } from "../../server/budgets/budgets.service.ts";
import { newConsultation, openConsultation, questionIds, submitBallot } from "./support.ts";

describe(`consultations and budgets: results at the close date (${MODE})`, function () {
  this.timeout(180_000);
  let instance: TestInstance;
  let staff: Agent;
  let staffMember: Member;
  let voters: Member[];

  before(async () => {
    instance = await startTestInstance();
    staffMember = await createMember(instance, "staff");
    staff = await loggedIn(instance, staffMember);
    voters = [];
    for (const name of ["alice", "bob", "chloe"])
      voters.push(await createMember(instance, "member", name));
  });
  after(() => instance.destroy());

  /** Makes the scheduled job due now, runs the scheduler's tick and waits for the queue. */
  const runScheduled = async (job: JobType) => {
    await instance.ctx.db
      .updateTable("schedules")
      .set({ next_run_at: new Date(Date.now() - 1000) })
      .where("name", "=", job)
      .execute();
    await instance.scheduler!.tick();
    for (;;) {
      const stats = await instance.ctx.queue.stats();
      if (stats.pending + stats.running === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const answer = async (voter: Member, id: string, fields: Record<string, string>) => {
    const path = `/consultations/${id}/answer`;
    const res = await submitBallot(await loggedIn(instance, voter), path, path, fields);
    assert.equal(res.status, 303, res.text);
  };

  const notices = (kind: string, link: string) =>
    instance.ctx.db
      .selectFrom("notifications")
      .select("user_id")
      .where("kind", "=", kind)
      .where("link", "=", link)
      .orderBy("user_id")
      .execute();

  const pastCloseDate = (id: string) =>
    instance.ctx.db
      .updateTable("consultations")
      .set({ opens_at: new Date(Date.now() - 7200_000), closes_at: new Date(Date.now() - 60_000) })
      .where("id", "=", id)
      .execute();

  it("closes a consultation whose date came, publishes its results and tells each participant once", async () => {
    const id = await newConsultation(staff, { title: "Horaires de la permanence", quorum: "2" });
    await openConsultation(staff, id);
    const [q] = await questionIds(instance, id);
    for (const [i, voter] of voters.slice(0, 2).entries())
      await answer(voter, id, { [`q-${q}`]: String(i) });
    await pastCloseDate(id);
    const before = await instance.ctx.db
      .selectFrom("consultations")
      .select("status")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.equal(before.status, "open");

    await runScheduled("consultations.closeDue");
    const row = await instance.ctx.db
      .selectFrom("consultations")
      .select(["status", "closes_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, "closed");
    const link = `/consultations/${id}`;
    const expected = voters
      .slice(0, 2)
      .map((v) => ({ user_id: v.user.id }))
      .sort((a, b) => a.user_id.localeCompare(b.user_id));
    assert.deepEqual(await notices("consultations:results", link), expected);
    const page = unescapeHtml((await supertest(instance.url).get(link)).text);
    assert.match(page, /Résultats/);
    assert.doesNotMatch(page, /Résultat non représentatif/);
    const results = (await supertest(instance.url).get(`/api/v1/consultations/${id}/results`))
      .body as { ballots: number; representative: boolean };
    assert.deepEqual([results.ballots, results.representative], [2, true]);

    // A second run, and staff closing it afterwards, tell no one again.
    await runScheduled("consultations.closeDue");
    const closeAgain = await submit(staff, link, `${link}/close`, {});
    assert.equal(closeAgain.status, 409);
    assert.equal((await notices("consultations:results", link)).length, 2);
  });

  it("says the result is not representative below the quorum, and leaves drafts and open ones", async () => {
    const id = await newConsultation(staff, { title: "Petite consultation", quorum: "5" });
    await openConsultation(staff, id);
    const [q] = await questionIds(instance, id);
    await answer(voters[2]!, id, { [`q-${q}`]: "0" });
    await pastCloseDate(id);
    const stillOpen = await newConsultation(staff, { title: "Encore ouverte" });
    await openConsultation(staff, stillOpen);
    const draft = await newConsultation(staff, { title: "Brouillon" });
    await pastCloseDate(draft);

    await runScheduled("consultations.closeDue");
    await runScheduled("consultations.closeDue");
    assert.deepEqual(
      await notices("consultations:resultsNotRepresentative", `/consultations/${id}`),
      [{ user_id: voters[2]!.user.id }],
    );
    assert.equal((await notices("consultations:results", `/consultations/${id}`)).length, 0);
    const statuses = await instance.ctx.db
      .selectFrom("consultations")
      .select(["id", "status"])
      .where("id", "in", [stillOpen, draft])
      .execute();
    assert.deepEqual(Object.fromEntries(statuses.map((s) => [s.id, s.status])), {
      [stillOpen]: "open",
      [draft]: "draft",
    });
    // The notice reads as the catalogue says, in the member's centre.
    const centre = unescapeHtml(
      (await (await loggedIn(instance, voters[2]!)).get("/notifications")).text,
    );
    assert.match(centre, /« Petite consultation » sont publiés, mais non représentatifs/);
  });

  it("tells the voters of a budget its results once its vote has closed, once", async () => {
    const { id, projects } = await budgetWithProjects(
      instance,
      staffMember.user.id,
      { title: "Budget des jardins", envelope: 1000, rule: "approval" },
      [
        ["Jardin partagé", 600],
        ["Nichoirs", 200],
      ],
    );
    const budget = (await findBudget(instance.ctx.db, id))!;
    for (const voter of voters.slice(0, 2)) {
      const done = await instance.ctx.transaction((tx) =>
        vote(tx, budget, voter.user.id, [projects["Nichoirs"]!]),
      );
      assert.ok(done.ok);
    }
    const link = `/budgets/${id}/resultats`;
    // While the vote is open, nothing is announced.
    await runScheduled("budgets.announceResults");
    assert.equal((await notices("budgets:results", link)).length, 0);

    await setPhase(instance, id, "results");
    await runScheduled("budgets.announceResults");
    await runScheduled("budgets.announceResults");
    const expected = voters
      .slice(0, 2)
      .map((v) => ({ user_id: v.user.id }))
      .sort((a, b) => a.user_id.localeCompare(b.user_id));
    assert.deepEqual(await notices("budgets:results", link), expected);
    const marks = await instance.ctx.db
      .selectFrom("budget_announcements")
      .select("budget_id")
      .where("budget_id", "=", id)
      .execute();
    assert.equal(marks.length, 1);
  });
});
