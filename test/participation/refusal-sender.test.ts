// A network vote's refusal counts only when the organiser the vote went to sends it: anyone else
// who learnt the vote's activity id must not mark a member's vote refused (budgets and
// consultations alike). Rows as the inbox keeps them, the services' own rule applied.
import assert from "node:assert/strict";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { markRefused as refuseBudgetVote } from "../../server/budgets/remote.service.ts";
import { markRefused as refuseConsultationVote } from "../../server/consultations/remote.service.ts";

const ORGANISER = "https://hub.example/users/cmcas";
const STRANGER = "https://elsewhere.example/users/cmcas";

describe(`participation: who may refuse a network vote (${MODE})`, () => {
  let instance: TestInstance;
  let userId: string;

  before(async () => {
    instance = await startTestInstance();
    userId = (await createMember(instance, "member")).user.id;
  });
  after(() => instance.destroy());

  it("marks a budget vote refused for its organiser only", async () => {
    const db = instance.ctx.db;
    const remote = await db
      .insertInto("budget_remote")
      .values({
        uri: "https://hub.example/budgets/1",
        url: "https://hub.example/budgets/1",
        organiser_uri: ORGANISER,
        territory: "Hub",
        title: "Budget du réseau",
        envelope: 1000,
        rule: "knapsack",
        projects: JSON.stringify([]),
        starts_at: new Date(Date.now() - 3_600_000),
        ends_at: new Date(Date.now() + 86_400_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const activity = "https://local.example/activities/budget-vote";
    await db
      .insertInto("budget_remote_participations")
      .values({ remote_id: remote.id, user_id: userId, activity_id: activity })
      .execute();
    const refused = () =>
      db
        .selectFrom("budget_remote_participations")
        .select("refused")
        .where("activity_id", "=", activity)
        .executeTakeFirstOrThrow();
    const byStranger = await instance.ctx.transaction((tx) =>
      refuseBudgetVote(tx, activity, "cap", STRANGER),
    );
    assert.equal(byStranger, false);
    assert.equal((await refused()).refused, null);
    const byOrganiser = await instance.ctx.transaction((tx) =>
      refuseBudgetVote(tx, activity, "cap", ORGANISER),
    );
    assert.equal(byOrganiser, true);
    assert.equal((await refused()).refused, "cap");
  });

  it("marks a consultation vote refused for its organiser only", async () => {
    const db = instance.ctx.db;
    const remote = await db
      .insertInto("consultation_remote")
      .values({
        uri: "https://hub.example/consultations/1",
        url: "https://hub.example/consultations/1",
        organiser_uri: ORGANISER,
        territory: "Hub",
        title: "Consultation du réseau",
        questions: JSON.stringify([]),
        ends_at: new Date(Date.now() + 86_400_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const activity = "https://local.example/activities/consultation-vote";
    await db
      .insertInto("consultation_remote_participations")
      .values({ remote_id: remote.id, user_id: userId, activity_id: activity })
      .execute();
    const refused = () =>
      db
        .selectFrom("consultation_remote_participations")
        .select("refused")
        .where("activity_id", "=", activity)
        .executeTakeFirstOrThrow();
    assert.equal(
      await instance.ctx.transaction((tx) =>
        refuseConsultationVote(tx, activity, "not_allowed", STRANGER),
      ),
      false,
    );
    assert.equal((await refused()).refused, null);
    assert.equal(
      await instance.ctx.transaction((tx) =>
        refuseConsultationVote(tx, activity, "not_allowed", ORGANISER),
      ),
      true,
    );
    assert.equal((await refused()).refused, "not_allowed");
  });
});
