// The services exchange plugin (plugins/sel): listings, exchanges confirmed by both members,
// balances and the ledger that sums to zero, its lower limit under concurrent confirmations,
// moderation, listings closed with the account, and switching it off and on with data kept.
import assert from "node:assert/strict";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { api, bearer, notices, saveSettings, switchPlugin } from "./support.ts";

describe(`plugins: services exchange (${MODE})`, () => {
  let instance: TestInstance;
  let admin: Agent;

  before(async () => {
    instance = await startTestInstance();
    admin = await loggedIn(instance, await createMember(instance, "admin"));
    await switchPlugin(admin, "sel", true);
  });
  after(() => instance.destroy());

  const listing = async (
    member: Member,
    values: { kind: string; category: string; title: string },
  ): Promise<string> => {
    const agent = await loggedIn(instance, member);
    const res = await submit(agent, "/sel/new", "/sel", { ...values, description: "" });
    assert.equal(res.status, 303);
    return res.headers.location!.split("/").pop()!;
  };
  const ledgerState = async () => {
    const sum = await instance.ctx.db
      .selectFrom("sel_ledger")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("minutes"), eb.lit(0)).as("n"))
      .executeTakeFirstOrThrow();
    const balances = await instance.ctx.db
      .selectFrom("sel_accounts")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("balance_minutes"), eb.lit(0)).as("n"))
      .executeTakeFirstOrThrow();
    return { ledger: Number(sum.n), balances: Number(balances.n) };
  };

  it("records an exchange confirmed by both members, with balances, history and the ledger", async () => {
    const [alice, bob] = [await createMember(instance), await createMember(instance)];
    const aliceAgent = await loggedIn(instance, alice);
    const bad = await submit(aliceAgent, "/sel/new", "/sel", { kind: "offer", title: "x" });
    assert.equal(bad.status, 422);
    assert.match(unescapeHtml(bad.text), /Choisissez une catégorie/);
    const id = await listing(alice, {
      kind: "offer",
      category: "lessons",
      title: "Cours de peinture",
    });

    const bobAgent = await loggedIn(instance, bob);
    const list = await bobAgent.get("/sel?category=lessons");
    assert.match(unescapeHtml(list.text), /Cours de peinture/);
    assert.doesNotMatch(
      unescapeHtml((await bobAgent.get("/sel?category=diy")).text),
      /Cours de peinture/,
    );
    assert.match(unescapeHtml((await bobAgent.get("/")).text), /Échange de services/);

    const badHours = await submit(bobAgent, `/sel/${id}`, `/sel/${id}/exchanges`, {
      hours: "beaucoup",
      description: "Deux cours",
    });
    assert.equal(badHours.status, 422);
    assert.match(unescapeHtml(badHours.text), /Indiquez une durée/);
    const proposed = await submit(bobAgent, `/sel/${id}`, `/sel/${id}/exchanges`, {
      hours: "1,5",
      description: "Cours d'aquarelle",
    });
    assert.equal(proposed.status, 303);
    assert.equal((await notices(instance, alice.user.id, "sel:proposed")).length, 1);
    const exchange = await instance.ctx.db
      .selectFrom("sel_exchanges")
      .select(["id", "provider_id", "receiver_id", "minutes"])
      .where("listing_id", "=", id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(exchange, {
      id: exchange.id,
      provider_id: alice.user.id,
      receiver_id: bob.user.id,
      minutes: 90,
    });
    // The proposer agreed already; only the other member confirms.
    const own = await submit(
      bobAgent,
      "/sel/exchanges",
      `/sel/exchanges/${exchange.id}/confirm`,
      {},
    );
    assert.equal(own.status, 409);
    assert.deepEqual(await ledgerState(), { ledger: 0, balances: 0 });
    const confirmed = await submit(
      aliceAgent,
      "/sel/exchanges",
      `/sel/exchanges/${exchange.id}/confirm`,
      {},
    );
    assert.equal(confirmed.status, 303);
    const again = await submit(
      aliceAgent,
      "/sel/exchanges",
      `/sel/exchanges/${exchange.id}/confirm`,
      {},
    );
    assert.equal(again.status, 409);

    assert.match(
      unescapeHtml((await aliceAgent.get("/sel/exchanges")).text),
      /Votre solde : <strong>1 h 30/,
    );
    assert.match(
      unescapeHtml((await bobAgent.get("/sel/exchanges")).text),
      /Votre solde : <strong>-1 h 30/,
    );
    const balance = await api(instance)
      .get("/api/v1/sel/balance")
      .set("Authorization", await bearer(instance, bob))
      .expect(200);
    assert.equal(balance.body.balanceMinutes, -90);
    assert.equal(balance.body.exchanges[0].minutes, -90);
    assert.equal(balance.body.exchanges[0].status, "confirmed");
    const ledgerPage = await admin.get("/sel/ledger");
    assert.match(unescapeHtml(ledgerPage.text), /le registre est équilibré/);
    assert.equal((await bobAgent.get("/sel/ledger")).status, 403);
    const listings = await api(instance).get("/api/v1/sel/listings?kind=offer").expect(200);
    assert.ok(listings.body.some((l: { id: string }) => l.id === id));

    // Contact goes through in-app messages.
    const contact = await submit(bobAgent, `/sel/${id}`, `/sel/${id}/contact`, {
      message: "Merci pour le cours !",
    });
    assert.equal(contact.status, 303);
    assert.match(contact.headers.location!, /^\/messages\//);
    assert.match(
      unescapeHtml((await aliceAgent.get(contact.headers.location!)).text),
      /Merci pour le cours/,
    );
  });

  it("keeps the ledger balanced and the lower limit under concurrent confirmations", async () => {
    await saveSettings(admin, "sel", { lowerLimitHours: 5 });
    const receiver = await createMember(instance);
    const want = await listing(receiver, {
      kind: "want",
      category: "diy",
      title: "Aide déménagement",
    });
    const exchanges: string[] = [];
    for (let i = 0; i < 10; i++) {
      const helper = await createMember(instance);
      const res = await api(instance)
        .post(`/api/v1/sel/listings/${want}/exchanges`)
        .set("Authorization", await bearer(instance, helper))
        .send({ minutes: 60, description: `Une heure de cartons ${i}` })
        .expect(201);
      exchanges.push(res.body.id as string);
    }
    const auth = await bearer(instance, receiver);
    // Ten one-hour confirmations at once, the first twice: a 5-hour limit lets exactly five in.
    const answers = await Promise.all(
      [...exchanges, exchanges[0]!].map((id) =>
        api(instance)
          .post(`/api/v1/sel/exchanges/${id}/decision`)
          .set("Authorization", auth)
          .send({ accept: true }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [204, 204, 204, 204, 204, 409, 409, 409, 409, 409, 409]);
    const balance = await api(instance).get("/api/v1/sel/balance").set("Authorization", auth);
    assert.equal(balance.body.balanceMinutes, -300);
    assert.equal(balance.body.lowerLimitMinutes, -300);
    assert.deepEqual(await ledgerState(), { ledger: 0, balances: 0 });
    // Every account's balance is the sum of its ledger lines.
    const mismatched = await instance.ctx.db
      .selectFrom("sel_accounts as a")
      .leftJoin("sel_ledger as g", "g.account_id", "a.id")
      .select([
        "a.id",
        "a.balance_minutes",
        (eb) => eb.fn.coalesce(eb.fn.sum<number>("g.minutes"), eb.lit(0)).as("sum"),
      ])
      .groupBy(["a.id", "a.balance_minutes"])
      .execute();
    for (const row of mismatched) assert.equal(Number(row.sum), row.balance_minutes);
    const lines = await instance.ctx.db
      .selectFrom("sel_ledger")
      .select("exchange_id")
      .where("exchange_id", "in", exchanges)
      .execute();
    assert.equal(lines.length, 10, "five exchanges, two lines each");
    const refused = answers.find(
      (a) => a.status === 409 && /minimum|lowest/.test(JSON.stringify(a.body)),
    );
    assert.ok(refused, "the limit is the reason given");
  });

  it("lets members report a listing and moderators remove it with a reason shown to its author", async () => {
    const [author, reader] = [await createMember(instance), await createMember(instance)];
    const id = await listing(author, {
      kind: "offer",
      category: "other",
      title: "Annonce douteuse",
    });
    const readerAgent = await loggedIn(instance, reader);
    const empty = await submit(readerAgent, `/sel/${id}/report`, `/sel/${id}/report`, {
      reason: "",
    });
    assert.equal(empty.status, 422);
    const reported = await submit(readerAgent, `/sel/${id}/report`, `/sel/${id}/report`, {
      reason: "Vente déguisée",
    });
    assert.equal(reported.status, 303);
    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    assert.match(unescapeHtml((await moderator.get("/sel/reports")).text), /Vente déguisée/);
    assert.equal((await readerAgent.get(`/sel/${id}/moderate`)).status, 403);
    const removed = await submit(moderator, `/sel/${id}/moderate`, `/sel/${id}/moderate`, {
      reason: "Les ventes sont interdites",
    });
    assert.equal(removed.status, 303);
    assert.equal((await readerAgent.get(`/sel/${id}`)).status, 404);
    assert.doesNotMatch(unescapeHtml((await readerAgent.get("/sel")).text), /Annonce douteuse/);
    const authorAgent = await loggedIn(instance, author);
    assert.match(
      unescapeHtml((await authorAgent.get(`/sel/${id}`)).text),
      /retirée par la modération\. Raison : Les ventes sont interdites/,
    );
    const [told] = await notices(instance, author.user.id, "moderation:listingRemoved");
    assert.equal(told?.data.reason, "Les ventes sont interdites");
    const log = await api(instance).get("/sel/moderation");
    assert.match(
      unescapeHtml(log.text),
      /« Annonce douteuse » retirée — raison : Les ventes sont interdites/,
    );
    assert.doesNotMatch(unescapeHtml((await moderator.get("/sel/reports")).text), /Vente déguisée/);
  });

  it("closes a member's listings when they delete their account, the ledger kept whole", async () => {
    const [leaver, other] = [await createMember(instance), await createMember(instance)];
    const id = await listing(leaver, {
      kind: "offer",
      category: "cooking",
      title: "Cours de cuisine",
    });
    const proposed = await api(instance)
      .post(`/api/v1/sel/listings/${id}/exchanges`)
      .set("Authorization", await bearer(instance, other))
      .send({ minutes: 30, description: "Tarte aux pommes" })
      .expect(201);
    await api(instance)
      .post(`/api/v1/sel/exchanges/${proposed.body.id}/decision`)
      .set("Authorization", await bearer(instance, leaver))
      .send({ accept: true })
      .expect(204);
    await api(instance)
      .delete("/api/v1/me")
      .set("Authorization", await bearer(instance, leaver))
      .send({ password: leaver.password })
      .expect(204);
    const row = await instance.ctx.db
      .selectFrom("sel_listings")
      .select(["status", "user_id"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: "closed", user_id: null });
    assert.deepEqual(await ledgerState(), { ledger: 0, balances: 0 });
    assert.match(unescapeHtml((await admin.get("/sel/ledger")).text), /Ancien membre/);
  });

  it("disappears when switched off and comes back with its data", async () => {
    const member = await createMember(instance);
    const id = await listing(member, {
      kind: "want",
      category: "gardening",
      title: "Tailler la haie",
    });
    await switchPlugin(admin, "sel", false);
    const agent = await loggedIn(instance, member);
    assert.equal((await agent.get(`/sel/${id}`)).status, 404);
    assert.equal((await api(instance).get("/api/v1/sel/listings")).status, 404);
    assert.doesNotMatch((await agent.get("/")).text, /href="\/sel"/);
    const openapi = await api(instance).get("/api/v1/openapi.json");
    assert.ok(!("/sel/listings" in openapi.body.paths));
    await switchPlugin(admin, "sel", true);
    assert.match(unescapeHtml((await agent.get(`/sel/${id}`)).text), /Tailler la haie/);
    assert.match((await agent.get("/")).text, /href="\/sel"/);
    const back = await api(instance).get("/api/v1/openapi.json");
    assert.ok("/sel/listings" in back.body.paths);
  });
});
