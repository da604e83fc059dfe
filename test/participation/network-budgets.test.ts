// A participatory budget opened to the network (issue 13 item 5, ADR 0136) on four instances over
// loopback HTTP, on the network consultations' machinery: the hub organises it, A and B are
// accepted members of its network, C follows the hub but is not a member. When the vote opens
// the budget reaches the three with its projects, envelope, rule and dates; members of A and B
// vote on their own instance and are counted once each with the hub's ballots; a replayed vote,
// a choice over the envelope, C's member and a ballot past the budgets' own cap per instance
// (ADR 0139) are refused with a Reject and a reason; the winners by the published rule reach A
// and B at the vote's close.
import assert from "node:assert/strict";
import { Create } from "@fedify/vocab";
import { BUDGET_CONTEXT } from "../../federation/budgets/question.ts";
import { sendToActors } from "../../federation/outbox.ts";
import { isServedQuestion } from "../../federation/questions.ts";
import { newActivityId } from "../../federation/uris.ts";
import { announceResults, publishDue } from "../../server/budgets/budgets.jobs.ts";
import { voteToken } from "../../server/consultations/remote.service.ts";
import {
  api,
  drain,
  followCmcas,
  member as apiMember,
  signedGet,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";
import { joinAll } from "../hub/support.ts";
import { saveSettings } from "../plugins/support.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { csrfFrom, unescapeHtml } from "../support/web.ts";
import { budgetWithProjects, setPhase } from "./support.ts";

type Json = Record<string, unknown>;

const parsed = (value: unknown) => {
  const text = JSON.stringify(value);
  return JSON.parse(text.startsWith('"') ? (JSON.parse(text) as string) : text) as Json;
};

describe(`participation: a network participatory budget from the hub (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;
  let id: string;
  let uri: string;
  let projects: Record<string, string>;

  before(async () => {
    net = await startNetwork(
      { hub: [], a: [], b: [], c: ["hub"] },
      { env: { hub: { HUB: "1", FEDERATION_MODE: "open", INSTANCE_NAME: "CCAS" } } },
    );
    await joinAll(net, ["a", "b"]);
    await followCmcas(net.c!, net.hub!);
  });
  after(() => net && stopNetwork(net));

  const remote = (peer: Peer) =>
    peer.instance.ctx.db
      .selectFrom("budget_remote")
      .selectAll()
      .where("uri", "=", uri)
      .executeTakeFirst();

  const hubBallots = () =>
    net
      .hub!.instance.ctx.db.selectFrom("budget_ballots")
      .select(["source", "instance_host"])
      .where("budget_id", "=", id)
      .execute();

  const refusals = () =>
    net
      .hub!.instance.ctx.db.selectFrom("budget_network_refusals")
      .selectAll()
      .where("budget_id", "=", id)
      .execute();

  /** A member of `peer` votes on their own instance, ticking `titles`; the post's response. */
  async function vote(peer: Peer, titles: string[], member?: Member, extra = "") {
    const who = member ?? (await createMember(peer.instance));
    const rb = await waitFor(`the budget on ${peer.name}`, () => remote(peer));
    const agent = await loggedIn(peer.instance, who);
    const page = `/budgets/reseau/${rb.id}`;
    const csrf = csrfFrom((await agent.get(page)).text);
    const body = [...titles.map((t) => `projects=${projects[t]}`), `_csrf=${csrf}`, extra]
      .filter(Boolean)
      .join("&");
    const res = await agent.post(`${page}/vote`).type("form").send(body);
    return { res, status: res.status, who, agent, rb };
  }

  it("publishes the budget to the network's instances when its vote opens", async () => {
    const { hub, a, b, c } = net;
    const made = await budgetWithProjects(
      hub!.instance,
      hub!.admin.user.id,
      { title: "Budget national 2027", envelope: 1000, rule: "knapsack", audience: "network" },
      [
        ["Jardin partagé", 600],
        ["Fresque", 300],
        ["Vélos", 500],
      ],
    );
    id = made.id;
    projects = made.projects;
    uri = `${hub!.url}/budgets/${id}`;
    // Before its vote opens, nothing goes out.
    await setPhase(hub!.instance, id, "review");
    assert.equal(await publishDue(hub!.instance.ctx), 0);
    await setPhase(hub!.instance, id, "vote");
    assert.equal(await publishDue(hub!.instance.ctx), 1);
    assert.equal(await publishDue(hub!.instance.ctx), 0, "published once");
    for (const peer of [a!, b!, c!]) {
      const row = await waitFor(`the budget on ${peer.name}`, () => remote(peer));
      assert.equal(row.title, "Budget national 2027");
      assert.equal(row.territory, "CCAS");
      assert.equal(row.envelope, 1000);
      assert.equal(row.rule, "knapsack");
      const list = (typeof row.projects === "string" ? JSON.parse(row.projects) : row.projects) as {
        title: string;
        cost: number;
      }[];
      assert.deepEqual(
        list.map((p) => [p.title, p.cost]),
        [
          ["Jardin partagé", 600],
          ["Fresque", 300],
          ["Vélos", 500],
        ],
      );
    }
    // The Question at its id (ADR 0137): to a signed fetch of a member instance, what A received.
    const fetched = await signedGet(a!, uri);
    assert.equal(fetched?.type, "Question");
    assert.equal(fetched.id, uri);
    const kept = (await remote(a!))!;
    assert.equal(fetched.budgetEnvelope, kept.envelope);
    assert.equal(fetched.budgetRule, kept.rule);
    assert.deepEqual(
      JSON.parse(String(fetched.budgetProjects)),
      typeof kept.projects === "string" ? JSON.parse(kept.projects) : kept.projects,
    );
    assert.equal(Date.parse(String(fetched.endTime)), kept.ends_at.getTime());
    // The Question's template also matches our activities' ids: those are not taken for one.
    const fed = hub!.instance.federation.context();
    assert.ok(isServedQuestion(fed.parseUri(new URL(uri))));
    assert.ok(!isServedQuestion(fed.parseUri(newActivityId(new URL(hub!.url)))));
    // Without a signature it is refused, as network objects are; the HTML page stays.
    const plain = await fetch(uri, { headers: { accept: "application/activity+json" } });
    assert.equal(plain.status, 401);
    assert.match((await fetch(uri)).headers.get("content-type") ?? "", /text\/html/);
    // The organiser's API says the budget's audience; the member instance's lists it received.
    const own = await api(hub!).get("/budgets");
    assert.equal(
      (own.body as { items: Json[] }).items.find((x) => x.id === id)?.audience,
      "network",
    );
    assert.equal((await api(hub!).get(`/budgets/${id}/projects`)).body.audience, "network");
    const received = (await api(a!).get(`/budgets/network`)).body as { items: Json[] };
    assert.deepEqual(
      received.items.map((x) => [x.uri, x.audience, x.territory, x.envelope, x.rule]),
      [[uri, "network", "CCAS", 1000, "knapsack"]],
    );
    const doc = (await api(a!).get("/openapi.json")).body as { paths: Record<string, unknown> };
    for (const path of [
      "/budgets",
      "/budgets/network",
      "/budgets/network/{id}",
      "/budgets/network/{id}/ballots",
    ])
      assert.ok(doc.paths[path], path);
    const member = await loggedIn(a!.instance, await createMember(a!.instance));
    const home = unescapeHtml((await member.get("/participer")).text);
    assert.match(home, /Budget national 2027[\s\S]*Organisé par CCAS/);
    const rb = (await remote(a!))!;
    const page = unescapeHtml((await member.get(`/budgets/reseau/${rb.id}`)).text);
    assert.match(page, /Jardin partagé — 600 €/);
    assert.match(page, /Total choisi : 0 € \/ 1\u202f000 €/);
  });

  it("counts a member of A and a member of B once each, with the hub's own ballots", async () => {
    const { hub, a, b } = net;
    // The running total without JavaScript: recounted by A, nothing sent.
    const recount = await vote(a!, ["Jardin partagé", "Vélos"], undefined, "recount=1");
    assert.equal(recount.status, 200);
    assert.match(
      unescapeHtml(recount.res.text),
      /Total choisi : 1\u202f100 € \/ 1\u202f000 € — au-delà/,
    );
    // Over the envelope, A refuses it before sending.
    const over = await vote(a!, ["Jardin partagé", "Vélos"], recount.who);
    assert.equal(over.status, 422);
    assert.match(
      unescapeHtml(over.res.text),
      /fait 1\u202f100 €, au-delà de l'enveloppe de 1\u202f000 €/,
    );
    const fromA = await vote(a!, ["Jardin partagé", "Fresque"], recount.who);
    assert.equal(fromA.status, 303);
    // B's member votes through the JSON API: the budget is listed there, with its audience.
    const bMember = await apiMember(b!, false);
    const listed = await api(b!, bMember.token).get("/budgets/network");
    assert.equal(listed.status, 200);
    const item = (listed.body as { items: Json[] }).items.find((x) => x.uri === uri)!;
    assert.equal(item.audience, "network");
    assert.equal(item.open, true);
    const fromB = await api(b!, bMember.token).post(`/budgets/network/${String(item.id)}/ballots`, {
      projects: [projects["Vélos"]],
    });
    assert.equal(fromB.status, 202, fromB.text);
    const again = await api(b!, bMember.token).post(`/budgets/network/${String(item.id)}/ballots`, {
      projects: [projects["Fresque"]],
    });
    assert.equal(again.status, 409);
    const one = await api(b!, bMember.token).get(`/budgets/network/${String(item.id)}`);
    assert.equal((one.body as Json).voted, true);
    const twice = await vote(a!, ["Fresque"], fromA.who);
    assert.equal(twice.status, 409);
    // A member of the hub votes there, as any local ballot.
    const local = await loggedIn(hub!.instance, await createMember(hub!.instance));
    const csrf = csrfFrom((await local.get(`/budgets/${id}/vote`)).text);
    const cast = await local
      .post(`/budgets/${id}/vote`)
      .type("form")
      .send(`projects=${projects["Fresque"]}&_csrf=${csrf}`);
    assert.equal(cast.status, 303);
    await waitFor("three ballots on the hub", async () => (await hubBallots()).length >= 3);
    await new Promise((r) => setTimeout(r, 1000));
    const ballots = await hubBallots();
    assert.deepEqual(
      ballots.map((x) => `${x.source}:${x.instance_host ?? ""}`).sort(),
      [`network:${a!.host}`, `network:${b!.host}`, "online:"].sort(),
    );
    const sent = await a!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Create")
      .where("actor", "=", "instance")
      .execute();
    assert.equal(sent.length, 1, "one vote left A");
    const activity = parsed(sent[0]!.activity);
    const note = activity.object as Json;
    assert.equal(activity.actor, `${a!.url}/actor`);
    assert.equal(note.inReplyTo, uri);
    assert.equal(
      note.voteToken,
      await voteToken(a!.instance.ctx.db, fromA.who.user.id, uri, "budget-vote"),
    );
    assert.deepEqual(JSON.parse(String(note.voteProjects)), [
      projects["Jardin partagé"],
      projects["Fresque"],
    ]);
    const text = JSON.stringify(activity);
    for (const secret of [fromA.who.user.id, fromA.who.email, fromA.who.user.displayName])
      assert.ok(!text.includes(secret), `the vote does not carry ${secret}`);
    const page = unescapeHtml((await fromA.agent.get(`/budgets/reseau/${fromA.rb.id}`)).text);
    assert.match(page, /Vous avez voté\./);
  });

  it("refuses a replayed vote and a choice over the envelope, with a Reject", async () => {
    const { hub, a } = net;
    const row = await a!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Create")
      .where("actor", "=", "instance")
      .executeTakeFirstOrThrow();
    const payload = parsed(row.activity);
    // The same signed activity handed again to the hub's inbox (after its signature check).
    const routes = await hub!.instance.federation.receive(
      await Create.fromJsonLd(payload),
      payload,
    );
    assert.ok(routes.includes("budgets.vote"), routes.join());
    // A vote over the envelope sent by A (as a rogue or faulty instance would), with a new token.
    await a!.instance.ctx.transaction(async (tx) => {
      const copy = await Create.fromJsonLd({
        ...payload,
        id: newActivityId(a!.instance.ctx.config.publicUrl).href,
      });
      await sendToActors(tx, "instance", [`${hub!.url}/users/cmcas`], copy, {
        context: BUDGET_CONTEXT,
        fields: {
          voteToken: "x".repeat(43),
          voteProjects: JSON.stringify(Object.values(projects)),
          voteEligibility: "member",
        },
      });
    });
    await waitFor("both refusals", async () => {
      const rows = await refusals();
      return (
        rows.some((r) => r.instance_host === a!.host && r.reason === "already_counted") &&
        rows.some((r) => r.instance_host === a!.host && r.reason === "over_envelope")
      );
    });
    assert.equal((await hubBallots()).length, 3, "neither was counted");
    const rejects = await hub!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Reject")
      .execute();
    const reasons = rejects.map((r) => parsed(r.activity).summary).sort();
    assert.deepEqual(reasons, ["already_counted", "over_envelope"]);
    // A, told its own vote is already counted, does not mark its voter as refused.
    await drain(hub!, a!);
    const marked = await a!.instance.ctx.db
      .selectFrom("budget_remote_participations")
      .select("refused")
      .execute();
    assert.deepEqual(
      marked.map((m) => m.refused),
      [null],
    );
  });

  it("refuses a member of an instance outside the network, who is told why", async () => {
    const { c } = net;
    const fromC = await vote(c!, ["Fresque"]);
    assert.equal(fromC.status, 303);
    const refused = await waitFor("C's refusal", async () => {
      const row = await c!.instance.ctx.db
        .selectFrom("budget_remote_participations")
        .selectAll()
        .where("user_id", "=", fromC.who.user.id)
        .executeTakeFirst();
      return row?.refused ? row : undefined;
    });
    assert.equal(refused.refused, "not_allowed");
    assert.equal((await hubBallots()).length, 3);
    const page = unescapeHtml((await fromC.agent.get(`/budgets/reseau/${fromC.rb.id}`)).text);
    assert.match(page, /refusé ce vote : votre CMCAS n'est pas admise/);
  });

  it("caps an instance's ballots by the budgets' own setting, not the consultations'", async () => {
    const { hub, b } = net;
    const admin = await loggedIn(hub!.instance, hub!.admin);
    await saveSettings(admin, "budgets", { perInstanceCap: 1 });
    await saveSettings(admin, "consultations", { mastodonVotes: "ignore", perInstanceCap: 0 });
    // B has one ballot counted: a second member of B is one too many.
    assert.equal((await vote(b!, ["Fresque"])).status, 303);
    await waitFor("B's second ballot refused by the budgets' cap", async () =>
      (await refusals()).find((r) => r.instance_host === b!.host && r.reason === "cap"),
    );
    assert.equal((await hubBallots()).length, 3);
    await saveSettings(admin, "budgets", { perInstanceCap: 0 });
  });

  it("sends the winners by the published rule back to every instance at the vote's close", async () => {
    const { hub, a, b } = net;
    await setPhase(hub!.instance, id, "results");
    assert.equal(await announceResults(hub!.instance.ctx), 1);
    await drain(hub!);
    for (const peer of [a!, b!]) {
      const row = await waitFor(`the results on ${peer.name}`, async () => {
        const r = await remote(peer);
        return r?.results ? r : undefined;
      });
      const results = (typeof row.results === "string" ? JSON.parse(row.results) : row.results) as {
        ballots: number;
        byChannel: Json;
        projects: { id: string; votes: number; funded: boolean; rank: number }[];
      };
      assert.equal(row.closed, true);
      assert.equal(results.ballots, 3);
      // The API gives the same counts.
      const viaApi = (await api(peer).get(`/budgets/network/${row.id}`)).body as {
        budget: { results: unknown; closed: boolean };
      };
      assert.deepEqual(viaApi.budget.results, results);
      assert.equal(viaApi.budget.closed, true);
      // The Question at its id carries the same counts once closed.
      const fetched = await signedGet(peer, uri);
      assert.ok(fetched?.closed, "closed");
      assert.deepEqual(JSON.parse(String(fetched.budgetResults)), results);
      assert.deepEqual(results.byChannel, { online: 1, paper: 0, network: 2 });
      // Fresque 2 votes; Jardin and Vélos 1 each, the cheaper first; Jardin no longer fits.
      const byId = Object.fromEntries(Object.entries(projects).map(([t, pid]) => [pid, t]));
      assert.deepEqual(
        results.projects.map((p) => [byId[p.id], p.votes, p.rank, p.funded]),
        [
          ["Fresque", 2, 1, true],
          ["Vélos", 1, 2, true],
          ["Jardin partagé", 1, 3, false],
        ],
      );
      const viewer = await loggedIn(peer.instance, await createMember(peer.instance));
      const page = unescapeHtml((await viewer.get(`/budgets/reseau/${row.id}`)).text);
      assert.match(page, /Résultats publiés par l'organisateur/);
      assert.match(
        page,
        /Fresque<\/th><td class="num"[^>]*>300 €<\/td><td class="num"[^>]*>2<\/td><td[^>]*>Financé/,
      );
      assert.match(page, /Jardin partagé<\/th>[\s\S]*?Non financé/);
    }
    // The voter of A is told, once.
    const rb = (await remote(a!))!;
    const told = await a!.instance.ctx.db
      .selectFrom("notifications")
      .select("user_id")
      .where("kind", "=", "budgets:results")
      .where("link", "=", `/budgets/reseau/${rb.id}`)
      .execute();
    assert.equal(told.length, 1);
  });
});
