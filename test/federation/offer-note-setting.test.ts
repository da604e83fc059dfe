// Publishing an offer reads the microblog-notes setting inside the publishing transaction. In
// embedded mode PGlite has one connection, held by that transaction: the setting read through
// the modules' own handle (their cache, refreshed after 5 s) waited for it forever, and the
// offer's publication hung. Published here once the cache has gone stale.
import assert from "node:assert/strict";
import { makeOffer } from "../offers/support.ts";
import { INSTALLER, startTestInstance, type TestInstance } from "../support/instance.ts";

describe("offers federation: publishing once the modules' cache is stale", function () {
  this.timeout(60_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance({ env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1" } });
  });
  after(() => instance?.destroy());

  it("publishes an offer (and reads the notes setting) without waiting on itself", async () => {
    const staff = await instance.ctx.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", INSTALLER.email)
      .executeTakeFirstOrThrow();
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const within = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("publishing the offer did not finish in 20 s")), 20_000),
    );
    const offer = await Promise.race([makeOffer(instance, staff.id, { title: "Rando" }), within]);
    assert.ok(offer.id);
  });
});
