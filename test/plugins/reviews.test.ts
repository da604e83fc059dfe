// The reviews plugin (plugins/reviews): participants review an offer once it is over, moderators
// hide a review with a logged reason; switched off from the Modules page, its forms, section,
// API route and "reviews to give" are gone, and they come back with the reviews kept.
import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { DAY, makeOffer } from "../offers/support.ts";

describe(`plugins: reviews of offers (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
  });
  after(() => instance.destroy());

  const token = async (member: Member) =>
    (await issueApiToken(instance.ctx.db, member.user.id, "t")).token;
  const notices = (userId: string, kind: string) =>
    instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data", "link"])
      .where("user_id", "=", userId)
      .where("kind", "=", kind)
      .execute();

  it("lets participants review after the end, and moderators hide a review with a logged reason", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Balade en raquettes" });
    const [participant, outsider] = [await createMember(instance), await createMember(instance)];
    await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${await token(participant)}`)
      .send({ persons: 1 })
      .expect(201);
    const agent = await loggedIn(instance, participant);
    const early = await submit(agent, `/offers/${offer.id}`, `/offers/${offer.id}/reviews`, {
      rating: 5,
      comment: "Trop tôt",
    });
    assert.equal(early.status, 403);
    assert.match(unescapeHtml(early.text), /une fois l'activité terminée/);

    await instance.ctx.db
      .updateTable("offers")
      .set({ starts_at: new Date(Date.now() - 2 * DAY), ends_at: new Date(Date.now() - DAY) })
      .where("id", "=", offer.id)
      .execute();
    const page = await agent.get(`/offers/${offer.id}`);
    assert.match(page.text, /name="rating"/);
    const reviewed = await agent
      .post(`/offers/${offer.id}/reviews`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), rating: "4", comment: "Superbe <b>balade</b>" });
    assert.equal(reviewed.status, 303);
    const outsiderAgent = await loggedIn(instance, outsider);
    const refused = await submit(
      outsiderAgent,
      `/offers/${offer.id}`,
      `/offers/${offer.id}/reviews`,
      {
        rating: 1,
      },
    );
    assert.equal(refused.status, 403);
    assert.match(unescapeHtml(refused.text), /Seuls les participants/);

    const publicPage = await supertest(instance.url).get(`/offers/${offer.id}`);
    assert.match(unescapeHtml(publicPage.text), /4 sur 5 \(1 avis\)/);
    assert.match(publicPage.text, /Superbe &lt;b&gt;balade&lt;\/b&gt;/);
    const api = await supertest(instance.url).get(`/api/v1/offers/${offer.id}/reviews`);
    assert.deepEqual(api.body.rating, { average: 4, count: 1 });

    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    const review = await instance.ctx.db
      .selectFrom("offer_reviews")
      .select("id")
      .where("offer_id", "=", offer.id)
      .executeTakeFirstOrThrow();
    const modPage = await moderator.get(`/offers/${offer.id}`);
    const noReason = await moderator
      .post(`/offers/${offer.id}/reviews/${review.id}/moderate`)
      .type("form")
      .send({ _csrf: csrfFrom(modPage.text), action: "hide", reason: "" });
    assert.equal(noReason.status, 422);
    assert.match(unescapeHtml(noReason.text), /Indiquez la raison/);
    const hidden = await moderator
      .post(`/offers/${offer.id}/reviews/${review.id}/moderate`)
      .type("form")
      .send({ _csrf: csrfFrom(modPage.text), action: "hide", reason: "Propos hors sujet" });
    assert.equal(hidden.status, 303);
    const forbidden = await agent
      .post(`/offers/${offer.id}/reviews/${review.id}/moderate`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), action: "show", reason: "moi" });
    assert.equal(forbidden.status, 403);

    const log = await instance.ctx.db
      .selectFrom("offer_review_moderation")
      .select(["action", "reason"])
      .where("review_id", "=", review.id)
      .execute();
    assert.deepEqual(log, [{ action: "hide", reason: "Propos hors sujet" }]);
    const anonymous = await supertest(instance.url).get(`/offers/${offer.id}`);
    assert.doesNotMatch(anonymous.text, /Superbe/);
    assert.match(unescapeHtml(anonymous.text), /Pas encore d'avis/);
    const own = await agent.get(`/offers/${offer.id}`);
    assert.match(
      unescapeHtml(own.text),
      /Votre avis a été masqué par la modération\. Raison : Propos hors sujet/,
    );
    const [told] = await notices(participant.user.id, "offers:reviewHidden");
    assert.equal(told?.data.reason, "Propos hors sujet");
  });

  it("disappears when switched off, and comes back with the reviews kept", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Sortie kayak" });
    const participant = await createMember(instance);
    await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${await token(participant)}`)
      .send({ persons: 1 })
      .expect(201);
    await instance.ctx.db
      .updateTable("offers")
      .set({ starts_at: new Date(Date.now() - 2 * DAY), ends_at: new Date(Date.now() - DAY) })
      .where("id", "=", offer.id)
      .execute();
    const agent = await loggedIn(instance, participant);
    assert.match(
      (await agent.get("/offers/mine")).text,
      new RegExp(`href="/offers/${offer.id}#reviews"`),
    );
    const saved = await submit(agent, `/offers/${offer.id}`, `/offers/${offer.id}/reviews`, {
      rating: 4,
      comment: "Eau fraîche",
    });
    assert.equal(saved.status, 303);

    const admin = await loggedIn(instance, await createMember(instance, "admin"));
    const modules = await admin.get("/admin/modules");
    assert.match(unescapeHtml(modules.text), /Avis sur les activités/);
    const off = await submit(admin, "/admin/modules", "/admin/modules/reviews", { enabled: "off" });
    assert.equal(off.status, 303);

    const page = await agent.get(`/offers/${offer.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /id="reviews"|Eau fraîche|reviews\.css/);
    const refused = await agent
      .post(`/offers/${offer.id}/reviews`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), rating: "2" });
    assert.equal(refused.status, 404);
    assert.equal(
      (await supertest(instance.url).get(`/api/v1/offers/${offer.id}/reviews`)).status,
      404,
    );
    assert.doesNotMatch((await agent.get("/offers/mine")).text, /#reviews/);
    const kept = await instance.ctx.db
      .selectFrom("offer_reviews")
      .select(["rating", "comment"])
      .where("offer_id", "=", offer.id)
      .execute();
    assert.deepEqual(kept, [{ rating: 4, comment: "Eau fraîche" }]);

    const on = await submit(admin, "/admin/modules", "/admin/modules/reviews", { enabled: "on" });
    assert.equal(on.status, 303);
    const back = await agent.get(`/offers/${offer.id}`);
    assert.match(back.text, /id="reviews"/);
    assert.match(back.text, /Eau fraîche/);
    const api = await supertest(instance.url).get(`/api/v1/offers/${offer.id}/reviews`);
    assert.deepEqual(api.body.rating, { average: 4, count: 1 });
  });
});
