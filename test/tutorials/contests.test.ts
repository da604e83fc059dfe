// Contests: staff open one; members enter their own published tutorials; one vote per member,
// none for their own entry, none after the close date, under concurrent votes; results with
// their counts at close, then the archive.
import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { addStep, newTutorial, publish } from "./support.ts";

const HOUR = 3_600_000;
/** A datetime-local value in Paris time, hours from now. */
const inHours = (hours: number) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  })
    .format(new Date(Date.now() + hours * HOUR))
    .replace(" ", "T");

describe(`tutorials: contests (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Agent;
  let alice: Member;
  let aliceAgent: Agent;
  let bob: Member;
  let bobAgent: Agent;
  let contestId: string;
  let aliceEntry: string;
  let bobEntry: string;

  before(async () => {
    instance = await startTestInstance();
    staff = await loggedIn(instance, await createMember(instance, "staff"));
    alice = await createMember(instance, "member", "alice");
    aliceAgent = await loggedIn(instance, alice);
    bob = await createMember(instance, "member", "bob");
    bobAgent = await loggedIn(instance, bob);
    aliceEntry = await newTutorial(instance, aliceAgent, { title: "Un nichoir à mésanges" });
    await addStep(aliceAgent, aliceEntry, "Découper les planches");
    await publish(aliceAgent, aliceEntry);
    bobEntry = await newTutorial(instance, bobAgent, { title: "Une mangeoire en bouteille" });
    await addStep(bobAgent, bobEntry, "Percer la bouteille");
    await publish(bobAgent, bobEntry);
  });
  after(() => instance.destroy());

  const setDates = (submissions: number, votes: number) =>
    instance.ctx.db
      .updateTable("tutorial_contests")
      .set({
        submissions_end_at: new Date(Date.now() + submissions * HOUR),
        votes_end_at: new Date(Date.now() + votes * HOUR),
      })
      .where("id", "=", contestId)
      .execute();

  it("is opened by staff only, with dates in order", async () => {
    const fields = {
      title: "Concours des oiseaux du jardin",
      theme: "Accueillir les oiseaux",
      rules: "Un tutoriel par membre.",
      prizes: "Un week-end au centre de vacances",
      submissionsEnd: inHours(24),
      votesEnd: inHours(48),
    };
    assert.equal(
      (await submit(aliceAgent, "/tutorials/contests", "/tutorials/contests/new", fields)).status,
      403,
    );
    const wrong = await submit(staff, "/tutorials/contests/new", "/tutorials/contests/new", {
      ...fields,
      votesEnd: inHours(1),
    });
    assert.equal(wrong.status, 422);
    const res = await submit(staff, "/tutorials/contests/new", "/tutorials/contests/new", fields);
    assert.equal(res.status, 303);
    contestId = /\/tutorials\/contests\/([0-9a-f-]{36})/.exec(res.headers.location ?? "")![1]!;
    const row = await instance.ctx.db
      .selectFrom("tutorial_contests")
      .select("submissions_end_at")
      .where("id", "=", contestId)
      .executeTakeFirstOrThrow();
    // Typed in Paris time: within a minute of 24 hours from now.
    assert.ok(Math.abs(row.submissions_end_at.getTime() - (Date.now() + 24 * HOUR)) < 2 * 60_000);
  });

  it("takes entries of one's own published tutorials while entries are open", async () => {
    const page = `/tutorials/contests/${contestId}`;
    const notMine = await submit(aliceAgent, page, `${page}/entries`, { tutorial: bobEntry });
    assert.equal(notMine.status, 422);
    assert.equal(
      (await submit(aliceAgent, page, `${page}/entries`, { tutorial: aliceEntry })).status,
      303,
    );
    assert.equal(
      (await submit(bobAgent, page, `${page}/entries`, { tutorial: bobEntry })).status,
      303,
    );
    // Voting has not opened yet.
    assert.equal(
      (await submit(bobAgent, page, `${page}/votes`, { tutorial: aliceEntry })).status,
      422,
    );
  });

  it("keeps one vote per member under concurrent votes, and none for one's own entry", async () => {
    await setDates(-1, 24);
    const page = `/tutorials/contests/${contestId}`;
    const late = await submit(aliceAgent, page, `${page}/entries`, { tutorial: aliceEntry });
    assert.equal(late.status, 422);
    assert.equal(
      (await submit(aliceAgent, page, `${page}/votes`, { tutorial: aliceEntry })).status,
      422,
    );
    // Six voters, each sending three votes at once (for both entries).
    const voters = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createMember(instance, "member", `votant${i}`)),
    );
    const agents = await Promise.all(voters.map((v) => loggedIn(instance, v)));
    const pages = await Promise.all(agents.map((a) => a.get(page)));
    const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const attempts = agents.flatMap((agent, i) =>
      [aliceEntry, bobEntry, aliceEntry].map((tutorial) =>
        agent
          .post(`${page}/votes`)
          .type("form")
          .send({ tutorial, _csrf: token(pages[i]!.text) }),
      ),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 303).length, 6, statuses.join(","));
    assert.ok(
      statuses.every((s) => s === 303 || s === 409),
      statuses.join(","),
    );
    const votes = await instance.ctx.db
      .selectFrom("tutorial_contest_votes")
      .select(["voter_id"])
      .where("contest_id", "=", contestId)
      .execute();
    assert.equal(votes.length, 6);
    assert.equal(new Set(votes.map((v) => v.voter_id)).size, 6);
    // Bob votes for Alice's entry through the API: the seventh vote; a second one is refused.
    const bobToken = (await issueApiToken(instance.ctx.db, bob.user.id, "tests")).token;
    const viaApi = (tutorial: string) =>
      supertest(instance.url)
        .post(`/api/v1/tutorial-contests/${contestId}/votes`)
        .set("Authorization", `Bearer ${bobToken}`)
        .send({ tutorial });
    assert.equal((await viaApi(bobEntry)).status, 422);
    assert.equal((await viaApi(aliceEntry)).status, 204);
    assert.equal((await viaApi(aliceEntry)).status, 409);
    assert.equal(
      (await submit(bobAgent, page, `${page}/votes`, { tutorial: bobEntry })).status,
      422,
    );
    // Counts stay hidden while voting.
    assert.doesNotMatch(unescapeHtml((await supertest(instance.url).get(page)).text), /\d+ voix/);
  });

  it("publishes the results with their counts at close, and archives the contest", async () => {
    await setDates(-48, -1);
    const page = `/tutorials/contests/${contestId}`;
    const tooLate = await submit(aliceAgent, page, `${page}/votes`, { tutorial: bobEntry });
    assert.equal(tooLate.status, 422);
    const counts = await instance.ctx.db
      .selectFrom("tutorial_contest_votes")
      .select(["tutorial_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("contest_id", "=", contestId)
      .groupBy("tutorial_id")
      .execute();
    const of = (id: string) => Number(counts.find((c) => c.tutorial_id === id)?.n ?? 0);
    const results = unescapeHtml((await supertest(instance.url).get(page)).text);
    assert.match(results, /Résultats/);
    assert.match(results, new RegExp(`Un nichoir à mésanges[\\s\\S]*?${of(aliceEntry)} voix`));
    assert.match(results, new RegExp(`Une mangeoire en bouteille[\\s\\S]*?${of(bobEntry)} voix`));
    assert.equal(of(aliceEntry) + of(bobEntry), 7);
    const list = unescapeHtml((await supertest(instance.url).get("/tutorials/contests")).text);
    assert.match(list, /Concours passés[\s\S]*Concours des oiseaux du jardin/);
    const viaApi = await supertest(instance.url).get(`/api/v1/tutorial-contests/${contestId}`);
    const entries = (viaApi.body as { entries: { tutorial: string; votes: number }[] }).entries;
    assert.equal(entries.find((e) => e.tutorial === aliceEntry)!.votes, of(aliceEntry));
  });
});
