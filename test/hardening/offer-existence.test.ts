// An anonymous visitor cannot tell a members-only offer from one that does not exist.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import supertest from "supertest";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer } from "../offers/support.ts";

describe("offers kept for members or the network", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("answer 404 to anonymous visitors, like an unknown offer, without a session", async () => {
    const staff = await createMember(instance, "staff");
    const local = await makeOffer(instance, staff.user.id, { visibility: "local" });
    const network = await makeOffer(instance, staff.user.id, { visibility: "network" });
    const strip = (text: string) =>
      text.replace(/<code>[^<]*<\/code>/g, "").replace(/\/offers\/[0-9a-f-]{36}/g, "");
    const unknown = await supertest(instance.url).get(`/offers/${crypto.randomUUID()}`);
    assert.equal(unknown.status, 404);
    for (const offer of [local, network]) {
      const res = await supertest(instance.url).get(`/offers/${offer.id}`);
      assert.equal(res.status, 404, offer.visibility);
      assert.equal(res.headers["set-cookie"], undefined, "no session started");
      assert.equal(strip(res.text), strip(unknown.text));
      const api = await supertest(instance.url).get(`/api/v1/offers/${offer.id}`);
      assert.equal(api.status, 404);
    }
    const member = await loggedIn(instance, await createMember(instance));
    assert.equal((await member.get(`/offers/${local.id}`)).status, 200);
  });
});
