// Projects proposed to a network budget from other instances (ADR 0138) on four instances over
// loopback HTTP: the hub organises the budget, A and B are accepted members of its network, C
// follows the hub but is not a member. The budget reaches them when its proposals open; a member
// of B proposes from B, the hub keeps the proposals pending with their origin, its staff accept
// one and reject one with a reason, and B's member is told of both; a replay is kept once; C's
// proposal and one sent after the phase closed are refused with their reason; an unreadable
// activity is answered 4xx problem+json; the accepted project is in the Question at the vote.
import assert from "node:assert/strict";
import { Offer } from "@fedify/vocab";
import { PROPOSAL_CONTEXT } from "../../federation/budgets/proposals.ts";
import { sendToActors } from "../../federation/outbox.ts";
import { newActivityId } from "../../federation/uris.ts";
import { publishDue } from "../../server/budgets/budgets.jobs.ts";
import { findBudget } from "../../server/budgets/budgets.service.ts";
import { publishProposalsDue } from "../../server/budgets/network-proposals.jobs.ts";
import { receiveNetworkProposal } from "../../server/budgets/network-proposals.service.ts";
import {
  drain,
  followCmcas,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";
import { joinAll } from "../hub/support.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { csrfFrom, unescapeHtml, type Agent } from "../support/web.ts";
import { budgetWithProjects, setPhase } from "./support.ts";

type Json = Record<string, unknown>;

const parsed = (value: unknown) => {
  const text = JSON.stringify(value);
  return JSON.parse(text.startsWith('"') ? (JSON.parse(text) as string) : text) as Json;
};

describe(`participation: proposals to a network budget from other instances (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;
  let id: string;
  let uri: string;
  let proposer: Member;
  let proposerAgent: Agent;

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

  const hubProjects = () =>
    net
      .hub!.instance.ctx.db.selectFrom("budget_projects")
      .selectAll()
      .where("budget_id", "=", id)
      .orderBy("created_at")
      .execute();

  const sentProposals = (peer: Peer) =>
    peer.instance.ctx.db
      .selectFrom("budget_remote_proposals")
      .selectAll()
      .orderBy("created_at")
      .execute();

  /** A member of `peer` fills the proposal form on their own instance; the post's response. */
  async function propose(
    peer: Peer,
    fields: Record<string, string>,
    agent?: Agent,
  ): Promise<{ status: number; text: string; agent: Agent; who?: Member }> {
    let who: Member | undefined;
    if (!agent) {
      who = await createMember(peer.instance);
      agent = await loggedIn(peer.instance, who);
    }
    const rb = await waitFor(`the budget on ${peer.name}`, () => remote(peer));
    const page = `/budgets/reseau/${rb.id}/proposer`;
    const csrf = csrfFrom((await agent.get(page)).text);
    const res = await agent
      .post(page)
      .type("form")
      .send({ ...fields, _csrf: csrf });
    return { status: res.status, text: unescapeHtml(res.text), agent, who };
  }

  it("publishes a network budget to the network's instances when its proposals open", async () => {
    const { hub, a, b, c } = net;
    const made = await budgetWithProjects(
      hub!.instance,
      hub!.admin.user.id,
      { title: "Budget national 2028", envelope: 2000, rule: "knapsack", audience: "network" },
      [],
    );
    id = made.id;
    uri = `${hub!.url}/budgets/${id}`;
    await setPhase(hub!.instance, id, "upcoming");
    assert.equal(await publishProposalsDue(hub!.instance.ctx), 0, "not before its proposals");
    await setPhase(hub!.instance, id, "proposals");
    assert.equal(await publishProposalsDue(hub!.instance.ctx), 1);
    assert.equal(await publishProposalsDue(hub!.instance.ctx), 0, "published once");
    for (const peer of [a!, b!, c!]) {
      const row = await waitFor(`the budget on ${peer.name}`, () => remote(peer));
      assert.equal(row.title, "Budget national 2028");
      const phase = await waitFor(`its proposals phase on ${peer.name}`, () =>
        peer.instance.ctx.db
          .selectFrom("budget_remote_phases")
          .selectAll()
          .where("uri", "=", uri)
          .executeTakeFirst(),
      );
      assert.equal(phase.organiser_uri, `${hub!.url}/users/cmcas`);
    }
    proposer = await createMember(b!.instance);
    proposerAgent = await loggedIn(b!.instance, proposer);
    const rb = (await remote(b!))!;
    const page = unescapeHtml((await proposerAgent.get(`/budgets/reseau/${rb.id}`)).text);
    assert.match(page, new RegExp(`href="/budgets/reseau/${rb.id}/proposer">Proposer un projet`));
  });

  it("sends a proposal of B's member to the hub, which keeps it pending with its origin", async () => {
    const { hub, b } = net;
    // Without the consent to show their name, B sends nothing.
    const refused = await propose(
      b!,
      { title: "Jardin partagé", description: "Un jardin au pied des immeubles.", cost: "600" },
      proposerAgent,
    );
    assert.equal(refused.status, 422);
    assert.match(refused.text, /Cochez la case pour accepter que ce nom soit montré/);
    // Over the envelope, B refuses it before sending.
    const over = await propose(
      b!,
      {
        title: "Piscine",
        description: "Une piscine couverte pour tous.",
        cost: "5000",
        shownName: "Camille de B",
        consent: "on",
      },
      proposerAgent,
    );
    assert.equal(over.status, 422);
    assert.equal((await sentProposals(b!)).length, 0);
    for (const [title, cost] of [
      ["Jardin partagé", "600"],
      ["Fresque murale", "300"],
    ] as const) {
      const sent = await propose(
        b!,
        {
          title,
          description: `Le projet ${title}, décrit en quelques mots.`,
          cost,
          shownName: "Camille de B",
          consent: "on",
        },
        proposerAgent,
      );
      assert.equal(sent.status, 303);
    }
    const rows = await waitFor("two proposals on the hub", async () => {
      const list = await hubProjects();
      return list.length === 2 ? list : undefined;
    });
    for (const p of rows) {
      assert.equal(p.status, "submitted");
      assert.equal(p.origin_host, b!.host);
      assert.equal(p.origin_name, "Camille de B");
      assert.equal(p.origin_actor, `${b!.url}/actor`);
      assert.equal(p.author_id, null);
    }
    assert.deepEqual(
      rows.map((p) => [p.title, p.cost]),
      [
        ["Jardin partagé", 600],
        ["Fresque murale", 300],
      ],
    );
    // What left B: the instance actor's Offer, the name shown, nothing else about the member.
    const out = await b!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Offer")
      .orderBy("id")
      .execute();
    assert.equal(out.length, 2);
    const offer = parsed(out[0]!.activity);
    assert.equal(offer.actor, `${b!.url}/actor`);
    assert.equal(offer.target, uri);
    const note = offer.object as Json;
    assert.equal(note.name, "Jardin partagé");
    assert.equal(note.proposalCost, 600);
    assert.equal(note.proposerName, "Camille de B");
    const text = JSON.stringify(offer);
    for (const secret of [proposer.user.id, proposer.email, proposer.user.displayName])
      assert.ok(!text.includes(secret), `the proposal does not carry ${secret}`);
    // Staff see them pending, with their origin.
    const staff = await loggedIn(hub!.instance, hub!.admin);
    const page = unescapeHtml((await staff.get(`/budgets/${id}`)).text);
    assert.match(
      page,
      new RegExp(`Fresque murale[\\s\\S]*?proposé par Camille de B \\(${b!.host}\\)`),
    );
    // B's member sees them sent.
    const rb = (await remote(b!))!;
    const mine = unescapeHtml((await proposerAgent.get(`/budgets/reseau/${rb.id}/proposer`)).text);
    assert.match(mine, /Fresque murale<\/strong> — 300 € — envoyée, en attente d'examen/);
  });

  it("keeps a replayed proposal once, unanswered", async () => {
    const { hub, b } = net;
    const row = await b!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Offer")
      .executeTakeFirstOrThrow();
    const payload = parsed(row.activity);
    const routes = await hub!.instance.federation.receive(await Offer.fromJsonLd(payload), payload);
    assert.ok(routes.includes("budgets.proposal"), routes.join());
    assert.equal((await hubProjects()).length, 2);
    const rejects = await hub!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Reject")
      .execute();
    assert.equal(rejects.length, 0, "a replay is not answered");
  });

  it("caps the proposals of one instance awaiting review", async () => {
    const { hub, b } = net;
    const { ctx } = hub!.instance;
    const budget = (await findBudget(ctx.db, id))!;
    const fresh = (n: number) => ({
      host: b!.host,
      actorUri: `${b!.url}/actor`,
      activityId: `${b!.url}/activities/cap-${n}`,
      title: `Projet ${n}`,
      description: "Un projet de plus, décrit en quelques mots.",
      cost: 100,
      name: "Camille de B",
    });
    // B has two proposals pending review: with a cap of 2, a third is refused.
    const capped = await ctx.transaction((tx) =>
      receiveNetworkProposal(tx, budget, fresh(1), { allowed: true, pendingCap: 2 }),
    );
    assert.deepEqual(capped, { ok: false, error: "cap" });
    assert.equal((await hubProjects()).length, 2);
  });

  it("sends the staff's decisions back to B, whose member is told of both", async () => {
    const { hub, b } = net;
    const staff = await loggedIn(hub!.instance, hub!.admin);
    const [jardin, fresque] = await hubProjects();
    const review = async (pid: string, decision: string, reason = "") => {
      const csrf = csrfFrom((await staff.get(`/budgets/${id}`)).text);
      return staff
        .post(`/budgets/${id}/projets/${pid}/examen`)
        .type("form")
        .send({ decision, reason, _csrf: csrf });
    };
    assert.equal((await review(fresque!.id, "accepted")).status, 303);
    assert.equal(
      (await review(jardin!.id, "rejected", "Le terrain n'appartient pas à la CMCAS.")).status,
      303,
    );
    await drain(hub!, b!);
    const rows = await waitFor("both decisions on B", async () => {
      const list = await sentProposals(b!);
      return list.every((p) => p.status !== "sent") ? list : undefined;
    });
    assert.deepEqual(
      rows.map((p) => [p.title, p.status, p.reason]),
      [
        ["Jardin partagé", "rejected", "Le terrain n'appartient pas à la CMCAS."],
        ["Fresque murale", "accepted", null],
      ],
    );
    const told = await b!.instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data"])
      .where("user_id", "=", proposer.user.id)
      .orderBy("kind")
      .execute();
    assert.deepEqual(
      told.map((n) => n.kind),
      ["budget-proposals:accepted", "budget-proposals:rejected"],
    );
    const rb = (await remote(b!))!;
    const mine = unescapeHtml((await proposerAgent.get(`/budgets/reseau/${rb.id}/proposer`)).text);
    assert.match(mine, /Fresque murale<\/strong> — 300 € — retenue pour le vote/);
    assert.match(
      mine,
      /Jardin partagé<\/strong> — 600 € — non retenue : Le terrain n'appartient pas à la CMCAS\./,
    );
    const list = unescapeHtml((await proposerAgent.get("/notifications")).text);
    assert.match(list, /Votre projet « Jardin partagé » n'est pas retenu : Le terrain/);
  });

  it("refuses a proposal from an instance outside the network, whose member is told why", async () => {
    const { c } = net;
    const sent = await propose(c!, {
      title: "Bibliothèque",
      description: "Une bibliothèque de rue partagée.",
      cost: "200",
      shownName: "Sam de C",
      consent: "on",
    });
    assert.equal(sent.status, 303);
    const row = await waitFor("C's refusal", async () => {
      const [p] = await sentProposals(c!);
      return p?.status === "refused" ? p : undefined;
    });
    assert.equal(row.reason, "not_allowed");
    assert.ok(!(await hubProjects()).some((p) => p.origin_host === c!.host));
    const rb = (await remote(c!))!;
    const mine = unescapeHtml((await sent.agent.get(`/budgets/reseau/${rb.id}/proposer`)).text);
    assert.match(mine, /refusée à la réception : votre CMCAS n'est pas admise à ce budget/);
  });

  it("refuses a proposal from the wire that is invalid or unreadable", async () => {
    const { hub, a } = net;
    // Over the envelope, sent by A as a faulty instance would: refused with `invalid`.
    await a!.instance.ctx.transaction(async (tx) => {
      const publicUrl = a!.instance.ctx.config.publicUrl;
      const activityId = newActivityId(publicUrl);
      const organiser = new URL(`${hub!.url}/users/cmcas`);
      const offer = await Offer.fromJsonLd({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: activityId.href,
        type: "Offer",
        actor: `${a!.url}/actor`,
        target: uri,
        to: organiser.href,
        object: {
          id: `${activityId.href}#proposal`,
          type: "Note",
          name: "Stade",
          content: "<p>Un stade pour toute la région.</p>",
        },
      });
      await sendToActors(tx, "instance", [organiser], offer, {
        context: PROPOSAL_CONTEXT,
        fields: { proposalCost: 999_999, proposerName: "X" },
      });
    });
    await drain(a!, hub!);
    const reasons = await waitFor("the hub's Reject", async () => {
      const rows = await hub!.instance.ctx.db
        .selectFrom("federation_outbox")
        .select("activity")
        .where("activity_type", "=", "Reject")
        .execute();
      const list = rows.map((r) => parsed(r.activity).summary);
      return list.includes("invalid") ? list : undefined;
    });
    assert.ok(reasons.includes("invalid"));
    assert.ok(!(await hubProjects()).some((p) => p.title === "Stade"));
    // Unreadable (not JSON, unsigned): a 4xx problem+json, nothing kept.
    const res = await fetch(`${hub!.url}/users/cmcas/inbox`, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: '{"type":"Offer","target":',
    });
    assert.ok(res.status >= 400 && res.status < 500, String(res.status));
    assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
    assert.equal((await hubProjects()).length, 2);
  });

  it("refuses a proposal once the phase is closed, with a clear message", async () => {
    const { hub, b } = net;
    // The organiser closed its proposals; B still believes them open: the hub refuses.
    await setPhase(hub!.instance, id, "review");
    const late = await propose(
      b!,
      {
        title: "Vélos partagés",
        description: "Des vélos à emprunter près de la CMCAS.",
        cost: "400",
        shownName: "Camille de B",
        consent: "on",
      },
      proposerAgent,
    );
    assert.equal(late.status, 303);
    await drain(b!, hub!, b!);
    const row = await waitFor("the late proposal refused", async () => {
      const list = await sentProposals(b!);
      const p = list.find((x) => x.title === "Vélos partagés");
      return p?.status === "refused" ? p : undefined;
    });
    assert.equal(row.reason, "not_open");
    assert.equal((await hubProjects()).length, 2);
    // Once B knows the phase closed (the Question at the vote's opening says so too), B refuses.
    await b!.instance.ctx.db
      .updateTable("budget_remote_phases")
      .set({ proposals_close_at: new Date(Date.now() - 3_600_000) })
      .where("uri", "=", uri)
      .execute();
    const closed = await propose(
      b!,
      {
        title: "Ludothèque",
        description: "Des jeux à emprunter pour les familles.",
        cost: "150",
        shownName: "Camille de B",
        consent: "on",
      },
      proposerAgent,
    );
    assert.equal(closed.status, 409);
    assert.match(closed.text, /Les propositions sont closes pour ce budget/);
    assert.ok(!(await sentProposals(b!)).some((p) => p.title === "Ludothèque"));
  });

  it("puts the accepted project in the Question when the vote opens", async () => {
    const { hub, b } = net;
    await setPhase(hub!.instance, id, "vote");
    assert.equal(await publishDue(hub!.instance.ctx), 1);
    const row = await waitFor("the projects on B", async () => {
      const r = await remote(b!);
      const list = (typeof r?.projects === "string" ? JSON.parse(r.projects) : r?.projects) as
        { title: string; cost: number }[] | undefined;
      return list?.length ? list : undefined;
    });
    assert.deepEqual(
      row.map((p) => [p.title, p.cost]),
      [["Fresque murale", 300]],
    );
  });
});
