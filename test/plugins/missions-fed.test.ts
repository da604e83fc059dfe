// A network mission reaches another instance: its slots are offers of visibility "network", so
// the offers' federation sends them as Events to the instances that follow this one; a local
// mission stays home. Two instances on loopback, real HTTP.
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { createMission } from "../../plugins/missions/missions.service.ts";
import {
  api,
  drain,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "../federation/harness.ts";
import { remoteCopy } from "../federation/offers-support.ts";

describe("plugins: a network mission federates as an Event", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    const { a, b } = net;
    await a!.instance.ctx.modules.setEnabled("missions", true, null);
    const res = await api(b!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
    assert.equal(res.status, 201, res.text);
    await waitFor("A to accept B's follow", async () =>
      ((await api(b!).get("/follows?as=cmcas")).body as { state: string }[]).some(
        (f) => f.state === "accepted",
      ),
    );
  });
  after(() => stopNetwork(net));

  it("shows A's network mission in B's catalogue, and not A's local one", async () => {
    const { a, b } = net;
    const ctx = a!.instance.ctx;
    const start = DateTime.now()
      .setZone("Europe/Paris")
      .plus({ days: 7 })
      .set({ hour: 9, minute: 0 });
    const mission = (network: boolean, title: string) =>
      ctx.transaction((tx) =>
        createMission(tx, bookingDeps(ctx), a!.admin.user.id, {
          title,
          cause: "solidarity",
          organiser: "CMCAS A",
          description: "Distribution de repas.",
          remote: false,
          postalCode: "38000",
          skills: "",
          network,
          slots: [{ startsAt: start.toJSDate(), durationMinutes: 120, places: 8 }],
        }),
      );
    const local = await mission(false, "Mission locale");
    const shared = await mission(true, "Banque alimentaire");
    assert.ok(local.ok && shared.ok);
    const [slot] = await ctx.db
      .selectFrom("mission_slots")
      .select("offer_id")
      .where("mission_id", "=", shared.value.id)
      .execute();
    const copy = await remoteCopy(b!, a!, slot!.offer_id);
    assert.equal(copy.title, "Banque alimentaire");
    assert.equal(copy.capacity, 8);
    assert.equal(copy.territory?.name, "CMCAS A");
    await drain(a!, b!);
    const onB = await b!.instance.ctx.db
      .selectFrom("offers")
      .select("title")
      .where("remote_uri", "is not", null)
      .execute();
    assert.deepEqual(
      onB.map((o) => o.title),
      ["Banque alimentaire"],
    );
  });
});
