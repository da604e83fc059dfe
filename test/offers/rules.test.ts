import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { addFamilyMember } from "../../server/members/members.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { DAY, makeOffer } from "./support.ts";

describe(`offers: registration window, age and size rules (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let member: Member;
  let token: string;
  const family: Record<string, string> = {};
  const year = new Date(Date.now() + 10 * DAY).getFullYear();

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    member = await createMember(instance);
    token = (await issueApiToken(instance.ctx.db, member.user.id, "test")).token;
    for (const [name, age] of [
      ["Léa", 8],
      ["Hugo", 15],
    ] as const) {
      const added = await addFamilyMember(instance.ctx.db, member.user.id, {
        firstName: name,
        relation: "child",
        birthYear: year - age,
      });
      assert.ok(added.ok);
      family[name] = added.value.id;
    }
  });
  after(() => instance.destroy());

  const book = (offerId: string, body: object) =>
    supertest(instance.url)
      .post(`/api/v1/offers/${offerId}/registrations`)
      .set("Authorization", `Bearer ${token}`)
      .send(body);

  const bookPage = async (offerId: string, fields: Record<string, string>) => {
    const agent = await loggedIn(instance, member);
    return submit(agent, `/offers/${offerId}`, `/offers/${offerId}/register`, fields);
  };

  const problem = (res: supertest.Response, status: number, detail: RegExp) => {
    assert.equal(res.status, status, res.text);
    assert.match(res.headers["content-type"] ?? "", /application\/problem\+json/);
    assert.equal(res.body.status, status);
    assert.match(res.body.detail, detail);
  };

  const pageError = (res: supertest.Response, status: number, message: RegExp) => {
    assert.equal(res.status, status);
    assert.match(res.text, /class="error-summary"/);
    assert.match(unescapeHtml(res.text), message);
  };

  it("refuses before the registration window opens, with its opening date", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      registrationOpensAt: new Date(Date.now() + 3 * DAY),
    });
    problem(
      await book(offer.id, { persons: 1 }),
      409,
      /ne sont pas encore ouvertes : elles ouvrent le/,
    );
    pageError(await bookPage(offer.id, { self: "on" }), 409, /ne sont pas encore ouvertes/);
    const page = await supertest(instance.url).get(`/offers/${offer.id}`);
    assert.match(page.text, /Les inscriptions ouvrent le/);
  });

  it("refuses after the registration window closes", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      registrationOpensAt: new Date(Date.now() - 3 * DAY),
      registrationClosesAt: new Date(Date.now() - DAY),
    });
    problem(await book(offer.id, { persons: 1 }), 409, /inscriptions sont fermées/);
    pageError(await bookPage(offer.id, { self: "on" }), 409, /inscriptions sont fermées/);
  });

  it("enforces the maximum number of persons per registration", async () => {
    const offer = await makeOffer(instance, staff.user.id, { maxPersonsPerRegistration: 2 });
    problem(await book(offer.id, { persons: 3 }), 422, /Trop de personnes : 2 au plus/);
    const res = await book(offer.id, { persons: 3 });
    assert.equal(res.body.errors[0].field, "persons");
    // Three ticked boxes: the member and two children.
    const agent = await loggedIn(instance, member);
    const token = csrfFrom((await agent.get(`/offers/${offer.id}`)).text);
    const form = new URLSearchParams([
      ["_csrf", token],
      ["self", "on"],
      ["family", family["Léa"]!],
      ["family", family["Hugo"]!],
    ]);
    const res3 = await agent
      .post(`/offers/${offer.id}/register`)
      .type("form")
      .send(form.toString());
    pageError(res3, 422, /Trop de personnes : 2 au plus par inscription/);
    assert.match(res3.text, /href="#field-persons"/);
  });

  it("enforces age rules on each person, naming who does not fit", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      category: "jeunesse",
      minAge: 6,
      maxAge: 12,
      maxPersonsPerRegistration: 4,
    });
    problem(
      await book(offer.id, { persons: [family["Hugo"]], includeMe: false }),
      422,
      /Hugo dépasse l'âge demandé : 12 ans au plus/,
    );
    problem(await book(offer.id, { persons: 1 }), 422, /conditions d'âge/);
    problem(
      await book(offer.id, { persons: [family["Léa"]], includeMe: true, birthYear: year - 40 }),
      422,
      /12 ans au plus/,
    );
    pageError(
      await bookPage(offer.id, { family: family["Hugo"]! }),
      422,
      /Hugo dépasse l'âge demandé/,
    );
    const ok = await book(offer.id, { persons: [family["Léa"]], includeMe: false });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.status, "confirmed");
    const people = await instance.ctx.db
      .selectFrom("offer_registration_persons")
      .select(["first_name", "birth_year", "is_member"])
      .where("registration_id", "=", ok.body.id)
      .execute();
    assert.deepEqual(people, [{ first_name: "Léa", birth_year: year - 8, is_member: false }]);
  });

  it("refuses a family member of someone else", async () => {
    const other = await createMember(instance);
    const added = await addFamilyMember(instance.ctx.db, other.user.id, {
      firstName: "Zoé",
      relation: "child",
      birthYear: year - 9,
    });
    assert.ok(added.ok);
    const offer = await makeOffer(instance, staff.user.id);
    problem(
      await book(offer.id, { persons: [added.value.id], includeMe: false }),
      422,
      /ne fait pas partie de votre famille/,
    );
  });

  it("books the member and a family member from the offer page", async () => {
    const offer = await makeOffer(instance, staff.user.id, { capacity: 5 });
    const res = await bookPage(offer.id, { self: "on", family: family["Hugo"]! });
    assert.equal(res.status, 303);
    const agent = await loggedIn(instance, member);
    const page = await agent.get(`/offers/${offer.id}`);
    assert.match(unescapeHtml(page.text), /Vous êtes inscrit \(2 personnes\)/);
    assert.match(unescapeHtml(page.text), /3 places restantes/);
    const mine = await agent.get("/offers/mine");
    assert.match(mine.text, new RegExp(`/offers/${offer.id}`));
  });

  it("lets members cancel until the deadline, not after", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      cancellationDeadline: new Date(Date.now() + DAY),
    });
    assert.equal((await book(offer.id, { persons: 1 })).status, 201);
    await instance.ctx.db
      .updateTable("offers")
      .set({ cancellation_deadline: new Date(Date.now() - 1000) })
      .where("id", "=", offer.id)
      .execute();
    const late = await supertest(instance.url)
      .delete(`/api/v1/offers/${offer.id}/registrations/me`)
      .set("Authorization", `Bearer ${token}`);
    problem(late, 409, /date limite de désinscription est passée/);
    const page = await (await loggedIn(instance, member)).get(`/offers/${offer.id}`);
    assert.match(unescapeHtml(page.text), /n'est plus possible d'annuler en ligne/);
  });
});
