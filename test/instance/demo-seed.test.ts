// `npm run seed:demo` on a new instance: the demonstration comes with its administration account,
// so a visitor explores it at once instead of being led to /setup.
import assert from "node:assert/strict";
import supertest from "supertest";
import { seedDemo } from "../../bin/demo/demo.ts";
import { seedParticipation } from "../../bin/demo/participation.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

describe("demonstration data", function () {
  this.timeout(120_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance({ admin: false });
  });
  after(() => instance?.destroy());

  it("brings an administration account, so pages open without the setup detour", async () => {
    const before = await supertest(instance.url).get("/").set("accept", "text/html");
    assert.equal(before.status, 303);
    assert.equal(before.headers.location, "/setup");
    await seedDemo(instance.ctx, { members: 2, offers: 1 });
    const admin = await instance.ctx.db
      .selectFrom("users")
      .select("email")
      .where("role", "=", "admin")
      .executeTakeFirst();
    assert.equal(admin?.email, "admin@demo.maillage.test");
    const after = await supertest(instance.url).get("/offers").set("accept", "text/html");
    assert.equal(after.status, 200);
  });

  it("fills the participation pages: consultations, results with a response, ideas, a budget", async () => {
    await seedDemo(instance.ctx, { members: 12, offers: 1 });
    const summary = await seedParticipation(instance.ctx);
    assert.deepEqual(summary, { consultations: 2, ideas: 3, budgets: 1 });
    // Seeding twice adds nothing.
    assert.deepEqual(await seedParticipation(instance.ctx), {
      consultations: 0,
      ideas: 0,
      budgets: 0,
    });
    const ballots = await instance.ctx.db
      .selectFrom("consultation_ballots")
      .select(({ fn }) => fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(ballots.n), 24);
    const closed = await instance.ctx.db
      .selectFrom("consultations")
      .select(["id", "response"])
      .where("status", "=", "closed")
      .executeTakeFirstOrThrow();
    assert.match(closed.response ?? "", /samedi/);
    const page = await supertest(instance.url)
      .get(`/consultations/${closed.id}`)
      .set("accept", "text/html");
    assert.equal(page.status, 200);
    assert.match(page.text, /Un samedi matin par mois vous serait-il utile/);
    const answered = await instance.ctx.db
      .selectFrom("ideas")
      .select("status")
      .where("status", "=", "accepted")
      .execute();
    assert.equal(answered.length, 1);
    const budgetBallots = await instance.ctx.db
      .selectFrom("budget_ballots")
      .select(({ fn }) => fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(budgetBallots.n), 12);
    const budgets = await supertest(instance.url).get("/budgets").set("accept", "text/html");
    assert.equal(budgets.status, 200);
    assert.match(budgets.text, /Budget participatif 2027/);
  });
});
