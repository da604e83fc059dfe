// Input nobody can store or mean gets a clear 4xx with a message (problem+json on the API),
// refused where validation is shared: the URL and body edge, the schema compiler, uploads.
import assert from "node:assert/strict";
import supertest from "supertest";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { csrfFrom, type Agent } from "../support/web.ts";

function problem(res: supertest.Response, status: number, what: string): void {
  assert.equal(res.status, status, what);
  assert.match(String(res.headers["content-type"]), /application\/problem\+json/, what);
  assert.ok((res.body as { title?: string }).title, `${what}: a message`);
}

describe("bad input gets a 4xx, never a 500", () => {
  let instance: TestInstance;
  let admin: Agent;
  let token: string;
  before(async () => {
    instance = await startTestInstance();
    const who = await createMember(instance, "admin");
    admin = await loggedIn(instance, who);
    const res = await supertest(instance.url)
      .post("/api/v1/tokens")
      .send({ email: who.email, password: who.password });
    token = (res.body as { token: string }).token;
  });
  after(() => instance.destroy());

  it("refuses a NUL character in a path, a query, a form field and a JSON body", async () => {
    const web = supertest(instance.url);
    for (const path of ["/groups/a%00b", "/offers?q=a%00b", "/forums/search?q=%00"])
      assert.equal((await web.get(path)).status, 400, path);
    problem(await web.get("/api/v1/offers?q=%00"), 400, "API query");
    problem(
      await web.post("/api/v1/tokens").send({ email: "a\u0000@exemple.fr", password: "x" }),
      400,
      "API body",
    );
    const page = await admin.get("/me");
    const form = await admin
      .post("/me")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), displayName: "a\u0000b", language: "fr" });
    assert.equal(form.status, 400);
    assert.match(form.text, /caractère nul/);
  });

  it("refuses infinite numbers and year 0000 in the catalogue, on the page and the API", async () => {
    const web = supertest(instance.url);
    for (const query of ["page=1e309", "maxPrice=1e400", "from=0000-01-01", "to=0000-01-01"]) {
      const page = await web.get(`/offers?${query}`);
      assert.equal(page.status, 422, query);
      assert.match(page.text, /error-summary|class="error/, `${query}: the page says why`);
      problem(await web.get(`/api/v1/offers?${query}`), 400, `API ${query}`);
    }
  });

  it("refuses a collection cursor beyond any id", async () => {
    for (const cursor of ["99999999999999999999999", "9223372036854775808", "-1"]) {
      const res = await supertest(instance.url)
        .get(`/users/instance/outbox?cursor=${cursor}`)
        .set("Accept", "application/activity+json");
      assert.equal(res.status, 400, cursor);
    }
  });

  it("refuses a price tier of 1e15 cents", async () => {
    const res = await supertest(instance.url)
      .post("/api/v1/offers")
      .auth(token, { type: "bearer" })
      .send({
        title: "Sortie trop chère",
        category: "loisirs",
        startsAt: "2030-06-01T10:00:00+02:00",
        endsAt: "2030-06-01T12:00:00+02:00",
        capacity: 5,
        priceTiers: [{ price: 1e15 }],
      });
    problem(res, 400, "price");
    assert.equal(
      (res.body as { errors: { field: string }[] }).errors[0]!.field,
      "priceTiers.0.price",
    );
  });

  it("answers a broken or unexpected upload with 400 or 413", async () => {
    const truncated = await admin
      .post("/admin/settings")
      .set("Content-Type", "multipart/form-data; boundary=XyZ")
      .send('--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nCMCAS');
    assert.equal(truncated.status, 400, "truncated body");
    const page = await admin.get("/admin/settings");
    const twoLogos = await admin
      .post("/admin/settings")
      .field("_csrf", csrfFrom(page.text))
      .attach("logo", Buffer.from("a"), "a.png")
      .attach("logo", Buffer.from("b"), "b.png");
    assert.ok([400, 413].includes(twoLogos.status), `two files: ${twoLogos.status}`);
    const wrongField = await admin
      .post("/admin/settings")
      .field("_csrf", csrfFrom(page.text))
      .attach("other", Buffer.from("a"), "a.png");
    assert.equal(wrongField.status, 400, "unexpected file field");
    const me = await admin.get("/me");
    const fileToForm = await admin
      .post("/me")
      .field("_csrf", csrfFrom(me.text))
      .attach("photo", Buffer.from("x"), "x.png");
    assert.equal(fileToForm.status, 400, "a file sent to a form without uploads");
  });
});
