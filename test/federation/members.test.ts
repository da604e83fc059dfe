import assert from "node:assert/strict";
import { loggedIn } from "../support/accounts.ts";
import { csrfFrom, submit, unescapeHtml } from "../support/web.ts";
import {
  api,
  member,
  publishNote,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "./harness.ts";

describe("federation: members across instances", function () {
  this.timeout(120_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("follows a remote member, shows their profile and notifies their public posts", async () => {
    const { a, b } = net;
    const alice = await member(a!, true);
    const bob = await member(b!, true);
    const agent = await loggedIn(a!.instance, alice);

    const sent = await submit(agent, "/follows", "/follows", {
      target: `@${bob.username}@${b!.host}`,
    });
    assert.equal(sent.status, 303);
    const accepted = await waitFor("Bob to accept", async () => {
      const list = (await api(a!, alice.token).get("/follows")).body as {
        id: number;
        state: string;
      }[];
      return list.find((f) => f.state === "accepted");
    });
    const follows = await agent.get("/follows");
    assert.ok(unescapeHtml(follows.text).includes(`@${bob.username}@${b!.host}`));
    assert.ok(follows.text.includes("Abonné"));

    // Bob's instance publishes a public post of his (what a feature does through the port).
    const { noteId } = await publishNote(b!, "Sortie raquettes samedi", bob.user.id);
    const notice = await waitFor("Alice's notification", async () =>
      a!.instance.ctx.db
        .selectFrom("notifications")
        .selectAll()
        .where("user_id", "=", alice.user.id)
        .where("kind", "=", "federation:newPost")
        .executeTakeFirst(),
    );
    assert.equal(notice.data.handle, `@${bob.username}@${b!.host}`);
    const profile = await agent.get(notice.link!);
    assert.equal(profile.status, 200);
    const text = unescapeHtml(profile.text);
    assert.ok(text.includes(`<h1>${bob.displayName}</h1>`));
    assert.ok(text.includes("Sortie raquettes samedi"));
    assert.ok(text.includes("Abonné"));
    const remote = await a!.instance.ctx.db
      .selectFrom("federation_remote_notes")
      .select("uri")
      .where("uri", "=", noteId)
      .executeTakeFirst();
    assert.ok(remote);

    // Unfollowing sends Undo(Follow): Bob's instance forgets the follower.
    const unfollow = await agent
      .post(`/follows/${accepted.id}/delete`)
      .type("form")
      .send({ _csrf: csrfFrom(profile.text) });
    assert.equal(unfollow.status, 303);
    await waitFor("Bob's instance to drop the follower", async () => {
      const rows = await b!.instance.ctx.db
        .selectFrom("federation_follows")
        .select("id")
        .where("local_actor", "=", bob.user.id)
        .execute();
      return rows.length === 0;
    });
  });

  it("asks a member who is not discoverable to become so before following", async () => {
    const { a, b } = net;
    const shy = await member(a!, false);
    const agent = await loggedIn(a!.instance, shy);
    const page = await agent.get("/follows");
    assert.match(unescapeHtml(page.text), /rendez d'abord votre profil visible/);
    const refused = await submit(agent, "/follows", "/follows", { target: `@cmcas@${b!.host}` });
    assert.equal(refused.status, 422);
    assert.match(unescapeHtml(refused.text), /Rendez d'abord votre profil visible/);
  });
});
