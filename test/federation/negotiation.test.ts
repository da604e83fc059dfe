// Every object URL we publish answers GET and HEAD by media type, whatever parameters the Accept
// header carries: the ActivityPub specification has clients ask for `application/ld+json;
// profile="https://www.w3.org/ns/activitystreams"`, and forum software checks URLs with HEAD.
import assert from "node:assert/strict";
import supertest from "supertest";
import { forumMember } from "../forums/helpers.ts";
import { makeOffer } from "../offers/support.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const ACCEPTS = [
  "application/activity+json",
  'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
  "application/ld+json",
  'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
];

describe("federation: content negotiation on object URLs", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  const urls: string[] = [];

  before(async () => {
    instance = await startTestInstance();
    const staff = await forumMember(instance, "staff");
    const group = await staff.api.post("/groups", { name: "Échanges", visibility: "public" });
    assert.equal(group.status, 201, group.text);
    const topic = await staff.api.post(`/groups/${group.body.id}/topics`, {
      title: "Premier sujet",
      content: "Bonjour",
    });
    assert.equal(topic.status, 201, topic.text);
    const reply = await staff.api.post(`/topics/${topic.body.id}/replies`, { content: "Réponse" });
    assert.equal(reply.status, 201, reply.text);
    const offer = await makeOffer(instance, staff.user.id, { title: "Sortie" });
    urls.push(
      `/topics/${topic.body.id}`,
      `/topics/${topic.body.id}/context`,
      `/posts/${reply.body.id}`,
      `/users/${group.body.slug}`,
      "/users/cmcas",
      `/offers/${offer.id}`,
    );
  });
  after(() => instance?.destroy());

  it("answers GET and HEAD with ActivityStreams JSON for each ActivityStreams media type", async () => {
    for (const url of urls) {
      for (const accept of ACCEPTS) {
        const got = await supertest(instance.url).get(url).set("accept", accept);
        assert.equal(got.status, 200, `GET ${url} (${accept})`);
        assert.match(got.headers["content-type"] ?? "", /^application\/(activity|ld)\+json/);
        const json = JSON.parse(got.text) as { id: string };
        assert.equal(json.id, new URL(url, instance.url).href);
        const head = await supertest(instance.url).head(url).set("accept", accept);
        assert.equal(head.status, 200, `HEAD ${url} (${accept})`);
        assert.match(head.headers["content-type"] ?? "", /^application\/(activity|ld)\+json/);
      }
    }
  });

  it("answers browsers with the page, GET and HEAD alike", async () => {
    for (const url of urls) {
      for (const method of ["get", "head"] as const) {
        const res = await supertest(instance.url)[method](url).set("accept", "text/html");
        assert.ok([200, 303].includes(res.status), `${method} ${url}: ${res.status}`);
        if (res.status === 200) assert.match(res.headers["content-type"] ?? "", /^text\/html/);
      }
    }
  });
});
