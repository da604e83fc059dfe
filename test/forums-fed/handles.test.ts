// Group slugs and member usernames are one namespace of WebFinger handles.
import assert from "node:assert/strict";
import supertest from "supertest";
import { forumMember } from "../forums/helpers.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

describe("forums federation: one namespace for group and member handles", function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance?.destroy());

  it("refuses a username that is a group's slug, and a slug that is a username or reserved", async () => {
    const staff = await forumMember(instance, "staff");
    const member = await forumMember(instance);
    const group = await staff.api.post("/groups", {
      name: "Vélo",
      slug: "velo",
      visibility: "public",
    });
    assert.equal(group.status, 201, group.text);

    for (const username of ["velo"]) {
      const renamed = await member.api.patch("/me", { username });
      assert.equal(renamed.status, 409, `${username}: ${renamed.text}`);
    }
    for (const slug of [member.username, "cmcas", "instance", "follow"]) {
      const taken = await staff.api.post("/groups", { name: "Autre", slug, visibility: "public" });
      assert.equal(taken.status, 409, `${slug}: ${taken.text}`);
    }

    // The handle answers as the group's actor.
    const host = new URL(instance.url).host;
    const finger = await supertest(instance.url)
      .get("/.well-known/webfinger")
      .query({ resource: `acct:velo@${host}` });
    assert.equal(finger.status, 200);
    const self = (finger.body.links as { rel: string; href: string }[]).find(
      (l) => l.rel === "self",
    );
    assert.equal(self?.href, `${instance.env.PUBLIC_URL}/users/velo`);
    const page = await supertest(instance.url).get("/users/velo");
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, "/groups/velo");
  });
});
