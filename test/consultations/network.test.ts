// A network consultation (issue 13 item 5, ADR 0131) on four instances over loopback HTTP: the
// hub organises it, A and B are accepted members of the hub's network, C follows the hub but is
// not a member. The Question reaches the three; members of A and B answer on their own instance
// and are counted once each; a replayed vote and a vote past the per-instance cap are refused with
// a Reject; C's member is refused; the results reach the instances at close. A Mastodon poll vote
// (the shape Mastodon sends) is kept apart per the setting.
import assert from "node:assert/strict";
import fs from "node:fs";
import { Create } from "@fedify/vocab";
import { voteToken } from "../../server/consultations/remote.service.ts";
import { CONSULTATION_CONTEXT } from "../../federation/consultations/question.ts";
import { sendToActors } from "../../federation/outbox.ts";
import { newActivityId } from "../../federation/uris.ts";
import {
  drain,
  followCmcas,
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
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { closeConsultation, newConsultation, openConsultation } from "./support.ts";

type Json = Record<string, unknown>;

describe(`consultations: a network consultation from the hub (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;
  let staff: Agent;
  let id: string;
  let uri: string;

  before(async () => {
    net = await startNetwork(
      { hub: [], a: [], b: [], c: ["hub"] },
      { env: { hub: { HUB: "1", FEDERATION_MODE: "open", INSTANCE_NAME: "CCAS" } } },
    );
    await joinAll(net, ["a", "b"]);
    // C follows the hub's CMCAS (so it receives the Question) but is no member of its network.
    await followCmcas(net.c!, net.hub!);
  });
  after(() => net && stopNetwork(net));

  const remote = (peer: Peer, which = uri) =>
    peer.instance.ctx.db
      .selectFrom("consultation_remote")
      .selectAll()
      .where("uri", "=", which)
      .executeTakeFirst();

  const hubBallots = () =>
    net
      .hub!.instance.ctx.db.selectFrom("consultation_ballots")
      .select(["channel", "instance_host", "answers"])
      .where("consultation_id", "=", id)
      .execute();

  const refusals = () =>
    net
      .hub!.instance.ctx.db.selectFrom("consultation_network_refusals")
      .selectAll()
      .where("consultation_id", "=", id)
      .execute();

  /** A member of `peer` answers on their own instance; the status of the form's post. */
  async function vote(peer: Peer, option: number, member?: Member, which = uri) {
    const who = member ?? (await createMember(peer.instance));
    const rc = await waitFor(`the consultation on ${peer.name}`, () => remote(peer, which));
    const questions = (
      typeof rc.questions === "string" ? JSON.parse(rc.questions) : rc.questions
    ) as { id: string }[];
    const agent = await loggedIn(peer.instance, who);
    const page = `/consultations/reseau/${rc.id}`;
    const res = await submit(agent, page, `${page}/answer`, { [`q-${questions[0]!.id}`]: option });
    return { status: res.status, who, agent, rc };
  }

  it("publishes the consultation as a Question to the network's instances and its followers", async () => {
    const { hub, a, b, c } = net;
    staff = await loggedIn(hub!.instance, hub!.admin);
    id = await newConsultation(staff, { audience: "network", title: "Les séjours nationaux" });
    uri = `${hub!.url}/consultations/${id}`;
    await openConsultation(staff, id);
    for (const peer of [a!, b!, c!]) {
      const row = await waitFor(`the Question on ${peer.name}`, () => remote(peer));
      assert.equal(row.title, "Les séjours nationaux");
      assert.equal(row.territory, "CCAS");
      assert.equal(row.organiser_uri, `${hub!.url}/users/cmcas`);
      assert.equal(row.intro, "Nous préparons les séjours de l'été.");
      assert.equal(row.closed, false);
    }
    // On the wire: a Mastodon-compatible poll (oneOf of named Notes, endTime) plus our form.
    const sent = await hub!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Create")
      .where("actor", "=", "cmcas")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const activity = (
      typeof sent.activity === "string" ? JSON.parse(sent.activity) : sent.activity
    ) as Json;
    const question = activity.object as Json;
    assert.equal(question.type, "Question");
    assert.equal(question.id, uri);
    assert.deepEqual(
      (question.oneOf as Json[]).map((o) => o.name),
      ["Mer", "Montagne", "Campagne"],
    );
    assert.ok(!Number.isNaN(Date.parse(String(question.endTime))));
    assert.equal(JSON.parse(String(question.consultationQuestions)).length, 1);
    // The Question at its URL, to a signed fetch of a member instance.
    const fetched = await signedGet(a!, uri);
    assert.equal(fetched?.type, "Question");
    // With our terms, as the Create carries them (ADR 0137).
    assert.equal(fetched.consultationQuestions, question.consultationQuestions);
    // A's members see it on /participer, marked with the organiser's territory.
    const page = await (
      await loggedIn(a!.instance, await createMember(a!.instance))
    ).get("/participer");
    assert.match(unescapeHtml(page.text), /Les séjours nationaux[\s\S]*Organisée par CCAS/);
  });

  it("counts a member of A and a member of B once each, knowing neither", async () => {
    const { hub, a, b } = net;
    const fromA = await vote(a!, 0);
    assert.equal(fromA.status, 303);
    const fromB = await vote(b!, 1);
    assert.equal(fromB.status, 303);
    // The same member again on A: refused there, nothing more is sent.
    const again = await vote(a!, 2, fromA.who);
    assert.equal(again.status, 409);
    await waitFor("two network ballots on the hub", async () => (await hubBallots()).length >= 2);
    await new Promise((r) => setTimeout(r, 1000));
    const ballots = await hubBallots();
    assert.equal(ballots.length, 2);
    assert.deepEqual(
      ballots.map((x) => x.channel),
      ["network", "network"],
    );
    assert.deepEqual(new Set(ballots.map((x) => x.instance_host)), new Set([a!.host, b!.host]));
    const sentVotes = await a!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["activity", "actor"])
      .where("activity_type", "=", "Create")
      .where("actor", "=", "instance")
      .execute();
    assert.equal(sentVotes.length, 1, "one vote left A");
    const text = JSON.stringify(sentVotes[0]!.activity);
    const voteJson = JSON.parse(text.startsWith('"') ? JSON.parse(text) : text) as Json;
    const note = voteJson.object as Json;
    assert.equal(voteJson.actor, `${a!.url}/actor`);
    assert.equal(note.inReplyTo, uri);
    assert.equal(note.name, "Mer");
    // The token is the HMAC of A's secret over the member and the consultation; nothing else
    // names the member.
    assert.equal(note.voteToken, await voteToken(a!.instance.ctx.db, fromA.who.user.id, uri));
    for (const secret of [fromA.who.user.id, fromA.who.email, fromA.who.user.displayName])
      assert.ok(!text.includes(secret), `the vote does not carry ${secret}`);
    // A's page says the member took part, not what they chose.
    const page = unescapeHtml((await fromA.agent.get(`/consultations/reseau/${fromA.rc.id}`)).text);
    assert.match(page, /Vous avez participé/);
    const participations = await hub!.instance.ctx.db
      .selectFrom("consultation_network_votes")
      .selectAll()
      .where("consultation_id", "=", id)
      .execute();
    assert.equal(participations.length, 2);
  });

  it("refuses a replayed vote and the same token under a new id, with a Reject", async () => {
    const { hub, a } = net;
    const row = await a!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Create")
      .where("actor", "=", "instance")
      .executeTakeFirstOrThrow();
    const text = JSON.stringify(row.activity);
    const payload = JSON.parse(text.startsWith('"') ? JSON.parse(text) : text) as Json;
    // The same signed activity handed again to the hub's inbox (after its signature check).
    const replayed = await Create.fromJsonLd(payload);
    const routes = await hub!.instance.federation.receive(replayed, payload);
    assert.ok(routes.includes("consultations.vote"), routes.join());
    // A copy re-sent by A under a fresh id, signed again, over HTTP.
    const note = payload.object as Json;
    await a!.instance.ctx.transaction(async (tx) => {
      const copy = await Create.fromJsonLd({
        ...payload,
        id: newActivityId(a!.instance.ctx.config.publicUrl).href,
      });
      await sendToActors(tx, "instance", [`${hub!.url}/users/cmcas`], copy, {
        context: CONSULTATION_CONTEXT,
        fields: {
          voteToken: note.voteToken,
          voteAnswers: note.voteAnswers,
          voteEligibility: "member",
        },
      });
    });
    const refused = await waitFor("two refusals of A's doubles", async () => {
      const rows = await refusals();
      const r = rows.find((x) => x.instance_host === a!.host && x.reason === "already_counted");
      return r && r.count >= 2 ? r : undefined;
    });
    assert.equal(refused.count, 2);
    assert.equal((await hubBallots()).length, 2, "neither double was counted");
    const rejects = await hub!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["activity", "recipients"])
      .where("activity_type", "=", "Reject")
      .execute();
    assert.equal(rejects.length, 2);
    assert.match(JSON.stringify(rejects[0]!.activity), /already_counted/);
    // A, answered that its own vote is already counted, does not mark its voter as refused.
    await drain(hub!, a!);
    const marked = await a!.instance.ctx.db
      .selectFrom("consultation_remote_participations")
      .select("refused")
      .execute();
    assert.deepEqual(
      marked.map((m) => m.refused),
      [null],
    );
  });

  it("refuses a member of an instance outside the network, who is told why", async () => {
    const { c } = net;
    const fromC = await vote(c!, 2);
    assert.equal(fromC.status, 303);
    const refused = await waitFor("C's refusal", async () => {
      const row = await c!.instance.ctx.db
        .selectFrom("consultation_remote_participations")
        .selectAll()
        .where("user_id", "=", fromC.who.user.id)
        .executeTakeFirst();
      return row?.refused ? row : undefined;
    });
    assert.equal(refused.refused, "not_allowed");
    assert.equal((await hubBallots()).length, 2);
    assert.ok(
      (await refusals()).some((r) => r.instance_host === c!.host && r.reason === "not_allowed"),
    );
    const page = unescapeHtml((await fromC.agent.get(`/consultations/reseau/${fromC.rc.id}`)).text);
    assert.match(page, /refusé ce vote : votre CMCAS n'est pas admise/);
  });

  it("refuses votes of an instance past the per-instance cap", async () => {
    const { hub, b } = net;
    await saveSettings(staff, "consultations", { mastodonVotes: "ignore", perInstanceCap: 1 });
    assert.equal((await vote(b!, 2)).status, 303);
    await waitFor("B's vote refused by the cap", async () =>
      (await refusals()).find((r) => r.instance_host === b!.host && r.reason === "cap"),
    );
    assert.equal((await hubBallots()).length, 2);
    await saveSettings(staff, "consultations", { mastodonVotes: "ignore", perInstanceCap: 0 });
    assert.equal(hub!.instance.ctx.modules.settings("consultations").perInstanceCap, 0);
  });

  it("keeps a Mastodon poll vote apart, shown or not per the setting", async () => {
    const { hub } = net;
    const text = fs
      .readFileSync(
        new URL("../fixtures/consultations/mastodon-poll-vote.json", import.meta.url),
        "utf8",
      )
      .replaceAll("QUESTION_URI", uri)
      .replaceAll("QUESTION_ACTOR", `${hub!.url}/users/cmcas`);
    const payload = JSON.parse(text) as Json;
    const routes = await hub!.instance.federation.receive(
      await Create.fromJsonLd(payload),
      payload,
    );
    assert.deepEqual(routes, ["consultations.vote"]);
    const kept = await hub!.instance.ctx.db
      .selectFrom("consultation_mastodon_votes")
      .selectAll()
      .where("consultation_id", "=", id)
      .execute();
    assert.deepEqual(
      kept.map((k) => [k.actor_uri, k.option_index]),
      [["https://mastodon.example/users/alice", 1]],
    );
    // Sent twice (Mastodon retries): kept once.
    await hub!.instance.federation.receive(await Create.fromJsonLd(payload), payload);
    const again = await hub!.instance.ctx.db
      .selectFrom("consultation_mastodon_votes")
      .select("actor_uri")
      .where("consultation_id", "=", id)
      .execute();
    assert.equal(again.length, 1);
  });

  it("publishes the results back to every instance at close", async () => {
    const { hub, a, b } = net;
    await closeConsultation(staff, id);
    for (const peer of [a!, b!]) {
      const row = await waitFor(`the results on ${peer.name}`, async () => {
        const r = await remote(peer);
        return r?.results ? r : undefined;
      });
      assert.equal(row.closed, true);
      const results = (typeof row.results === "string" ? JSON.parse(row.results) : row.results) as {
        ballots: number;
        byInstance: { host: string; ballots: number }[];
        questions: { options: { label: string; count: number }[] }[];
      };
      // The Mastodon vote is not counted (setting "ignore", the default).
      assert.equal(results.ballots, 2);
      assert.deepEqual(
        results.questions[0]!.options.map((o) => [o.label, o.count]),
        [
          ["Mer", 1],
          ["Montagne", 1],
          ["Campagne", 0],
        ],
      );
      assert.deepEqual(new Set(results.byInstance.map((x) => x.host)), new Set([a!.host, b!.host]));
    }
    const update = await hub!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Update")
      .where("actor", "=", "cmcas")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const text = JSON.stringify(update.activity);
    const json = JSON.parse(text.startsWith('"') ? JSON.parse(text) : text) as Json;
    const question = json.object as Json;
    assert.deepEqual(
      (question.oneOf as Json[]).map((o) => (o.replies as Json).totalItems),
      [1, 1, 0],
    );
    assert.ok(question.closed);
    const page = unescapeHtml(
      (
        await (
          await loggedIn(a!.instance, await createMember(a!.instance))
        ).get(`/consultations/reseau/${(await remote(a!))!.id}`)
      ).text,
    );
    assert.match(page, /Résultats publiés par l'organisateur[\s\S]*Mer<\/th><td>1/);
    // Shown apart on the hub when its admin chooses so.
    await saveSettings(staff, "consultations", { mastodonVotes: "separate", perInstanceCap: 0 });
    const hubPage = unescapeHtml((await staff.get(`/consultations/${id}`)).text);
    assert.match(hubPage, /Votes d'autres logiciels[\s\S]*Montagne<\/th><td>1/);
  });

  it("closes one at its close date with no staff action: results reach every instance, voters told once", async () => {
    const { hub, a, b } = net;
    const other = await newConsultation(staff, {
      audience: "network",
      title: "Le calendrier national",
      quorum: "5",
    });
    const otherUri = `${hub!.url}/consultations/${other}`;
    await openConsultation(staff, other);
    const fromA = await vote(a!, 0, undefined, otherUri);
    const fromB = await vote(b!, 1, undefined, otherUri);
    assert.deepEqual([fromA.status, fromB.status], [303, 303]);
    const counted = () =>
      hub!.instance.ctx.db
        .selectFrom("consultation_ballots")
        .select("id")
        .where("consultation_id", "=", other)
        .execute();
    await waitFor("two ballots on the hub", async () => (await counted()).length === 2);
    await hub!.instance.ctx.db
      .updateTable("consultations")
      .set({ closes_at: new Date(Date.now() - 60_000) })
      .where("id", "=", other)
      .execute();
    const closeDue = async () => {
      await hub!.instance.ctx.db
        .updateTable("schedules")
        .set({ next_run_at: new Date(Date.now() - 1000) })
        .where("name", "=", "consultations.closeDue")
        .execute();
      await hub!.instance.scheduler!.tick();
      await drain(hub!);
    };
    await closeDue();
    for (const [peer, voter] of [
      [a!, fromA],
      [b!, fromB],
    ] as const) {
      const row = await waitFor(`the results on ${peer.name}`, async () => {
        const r = await remote(peer, otherUri);
        return r?.results ? r : undefined;
      });
      const results = (typeof row.results === "string" ? JSON.parse(row.results) : row.results) as {
        ballots: number;
        representative: boolean;
      };
      assert.deepEqual([row.closed, results.ballots, results.representative], [true, 2, false]);
      const page = unescapeHtml((await voter.agent.get(`/consultations/reseau/${row.id}`)).text);
      assert.match(page, /Résultat non représentatif/);
      const notices = await peer.instance.ctx.db
        .selectFrom("notifications")
        .select(["user_id", "link"])
        .where("kind", "=", "consultations:resultsNotRepresentative")
        .where("link", "=", `/consultations/reseau/${row.id}`)
        .execute();
      assert.deepEqual(
        notices.map((n) => n.user_id),
        [voter.who.user.id],
      );
    }
    // A second run sends nothing more: one Update left the hub for this consultation.
    await closeDue();
    const updates = await hub!.instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity")
      .where("activity_type", "=", "Update")
      .where("actor", "=", "cmcas")
      .execute();
    assert.equal(updates.filter((u) => JSON.stringify(u.activity).includes(otherUri)).length, 1);
    // The staff's close of the first one told its voters on A and B once each, as results came
    // (B's voter refused by the cap is not told).
    for (const peer of [a!, b!]) {
      const rc = (await remote(peer))!;
      const told = await peer.instance.ctx.db
        .selectFrom("notifications")
        .select("user_id")
        .where("kind", "=", "consultations:results")
        .where("link", "=", `/consultations/reseau/${rc.id}`)
        .execute();
      assert.equal(told.length, 1, peer.name);
    }
  });
});
