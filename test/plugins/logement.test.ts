// The solidarity housing plugin (plugins/logement): offers and requests with dates, commune,
// rent or free and conditions; contact through in-app messages; a listing disappears when taken
// or expired, and with its author's account; moderation; off and on again with data kept.
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { submit, unescapeHtml, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { api, bearer, notices, switchPlugin } from "./support.ts";

const day = (n: number) => DateTime.now().setZone("Europe/Paris").plus({ days: n }).toISODate()!;

describe(`plugins: solidarity housing (${MODE})`, () => {
  let instance: TestInstance;
  let admin: Agent;

  before(async () => {
    instance = await startTestInstance();
    admin = await loggedIn(instance, await createMember(instance, "admin"));
    await switchPlugin(admin, "logement", true);
  });
  after(() => instance.destroy());

  const publish = async (member: Member, fields: Record<string, string> = {}) => {
    const res = await api(instance)
      .post("/api/v1/logement")
      .set("Authorization", await bearer(instance, member))
      .send({
        kind: "offer",
        housing: "room",
        purpose: "young_hire",
        title: "Chambre près de la gare",
        fromDate: day(0),
        toDate: day(90),
        place: "38000",
        ...fields,
      });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };

  it("publishes a room, lets a member write through messages, and hides it once taken", async () => {
    const [host, guest] = [await createMember(instance), await createMember(instance)];
    const hostAgent = await loggedIn(instance, host);
    const bad = await submit(hostAgent, "/logement/new", "/logement", {
      kind: "offer",
      housing: "room",
      purpose: "training",
      title: "Studio",
      fromDate: day(0),
      place: "Nulle-Part-sur-Mer",
    });
    assert.equal(bad.status, 422);
    assert.match(unescapeHtml(bad.text), /Cette commune ou ce code postal est inconnu/);
    const created = await submit(hostAgent, "/logement/new", "/logement", {
      kind: "offer",
      housing: "flatshare",
      purpose: "young_hire",
      title: "Colocation à Échirolles",
      fromDate: day(3),
      toDate: day(200),
      place: "Échirolles",
      rent: "320",
      conditions: "Non-fumeur",
    });
    assert.equal(created.status, 303, created.text.slice(0, 2000));
    const id = created.headers.location!.split("/").pop()!;

    const guestAgent = await loggedIn(instance, guest);
    const list = unescapeHtml((await guestAgent.get("/logement?housing=flatshare")).text);
    assert.match(list, /Colocation à Échirolles/);
    assert.match(list, /Échirolles · à partir du/);
    const page = unescapeHtml((await guestAgent.get(`/logement/${id}`)).text);
    assert.match(page, /320,00 € par mois/);
    assert.match(page, /Non-fumeur/);
    assert.match(page, /Échirolles \(38130\)/);
    const contact = await submit(guestAgent, `/logement/${id}`, `/logement/${id}/contact`, {
      message: "Bonjour, je commence en janvier.",
    });
    assert.equal(contact.status, 303);
    assert.match(contact.headers.location!, /^\/messages\//);
    assert.equal((await notices(instance, host.user.id, "messages:newMessage")).length, 1);
    const own = await submit(hostAgent, `/logement/${id}`, `/logement/${id}/contact`, {
      message: "moi",
    });
    assert.equal(own.status, 409, "one cannot write to oneself");
    assert.match(unescapeHtml(own.text), /Vous ne pouvez pas vous écrire à vous-même/);

    const taken = await submit(hostAgent, `/logement/${id}`, `/logement/${id}/taken`, {});
    assert.equal(taken.status, 303);
    assert.doesNotMatch(
      unescapeHtml((await guestAgent.get("/logement")).text),
      /Colocation à Échirolles/,
    );
    assert.equal((await guestAgent.get(`/logement/${id}`)).status, 404);
    assert.match(
      unescapeHtml((await hostAgent.get(`/logement/${id}`)).text),
      /Ce logement est pris/,
    );
    const listed = await api(instance)
      .get("/api/v1/logement")
      .set("Authorization", await bearer(instance, guest));
    assert.ok(!(listed.body as { id: string }[]).some((l) => l.id === id));
  });

  it("hides a listing past its end date, and closes listings with the account", async () => {
    const [host, reader] = [await createMember(instance), await createMember(instance)];
    const expiring = await publish(host, {
      title: "Court séjour de formation",
      housing: "short_stay",
      purpose: "training",
      fromDate: day(0),
      toDate: day(1),
    });
    const readerAgent = await loggedIn(instance, reader);
    assert.match(
      unescapeHtml((await readerAgent.get("/logement")).text),
      /Court séjour de formation/,
    );
    // Two days later, its end date has passed.
    await instance.ctx.db
      .updateTable("housing_listings")
      .set({ from_date: day(-10), to_date: day(-1) })
      .where("id", "=", expiring)
      .execute();
    assert.doesNotMatch(
      unescapeHtml((await readerAgent.get("/logement")).text),
      /Court séjour de formation/,
    );
    assert.equal((await readerAgent.get(`/logement/${expiring}`)).status, 404);

    const kept = await publish(host, { title: "Chambre chez l'habitant", rent: "0" });
    assert.match(unescapeHtml((await readerAgent.get(`/logement/${kept}`)).text), /gratuit/);
    await api(instance)
      .delete("/api/v1/me")
      .set("Authorization", await bearer(instance, host))
      .send({ password: host.password })
      .expect(204);
    const row = await instance.ctx.db
      .selectFrom("housing_listings")
      .select(["status", "user_id"])
      .where("id", "=", kept)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: "closed", user_id: null });
    assert.equal((await readerAgent.get(`/logement/${kept}`)).status, 404);
  });

  it("lets moderators remove a listing with a reason, and keeps data while switched off", async () => {
    const host = await createMember(instance);
    const id = await publish(host, { title: "Annonce de logement douteuse" });
    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    const removed = await submit(
      moderator,
      `/logement/${id}/moderate`,
      `/logement/${id}/moderate`,
      { reason: "Annonce commerciale" },
    );
    assert.equal(removed.status, 303);
    const hostAgent = await loggedIn(instance, host);
    assert.match(
      unescapeHtml((await hostAgent.get(`/logement/${id}`)).text),
      /Raison : Annonce commerciale/,
    );
    const [told] = await notices(instance, host.user.id, "moderation:listingRemoved");
    assert.equal(told?.data.reason, "Annonce commerciale");

    const kept = await publish(host, { title: "Chambre pour alternant" });
    await switchPlugin(admin, "logement", false);
    assert.equal((await hostAgent.get(`/logement/${kept}`)).status, 404);
    assert.equal(
      (
        await api(instance)
          .get("/api/v1/logement")
          .set("Authorization", await bearer(instance, host))
      ).status,
      404,
    );
    assert.doesNotMatch((await hostAgent.get("/")).text, /href="\/logement"/);
    await switchPlugin(admin, "logement", true);
    assert.match(
      unescapeHtml((await hostAgent.get(`/logement/${kept}`)).text),
      /Chambre pour alternant/,
    );
    assert.match((await hostAgent.get("/")).text, /href="\/logement"/);
  });
});
