// Two instances on loopback, B's CMCAS following A's: what B's members do with A's tutorial
// reaches A (ADR 0116). A comment becomes a post of the tutorial's topic on A, a "Je l'ai fait !"
// post joins A's gallery with its photo's link and alt text, both notify the author; a "useful"
// vote is a Like counted once on A, and taking it back (Undo) removes it.
import assert from "node:assert/strict";
import { createMember, loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { csrfFrom, submit } from "../support/web.ts";
import { forumMember } from "../forums/helpers.ts";
import {
  api,
  drain,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
} from "../federation/harness.ts";
import { addStep, newTutorial, photo, publish } from "../tutorials/support.ts";

describe(`federation: comments, made-it posts and votes on a remote tutorial (${MODE})`, function () {
  this.timeout(300_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => net && stopNetwork(net));

  it("brings B's comment, made-it post and useful vote to A, and the vote's Undo", async () => {
    const { a, b } = net as Required<Network>;
    const followed = await api(b!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
    assert.equal(followed.status, 201, followed.text);
    await waitFor("A's Accept", async () => {
      const list = await api(b!).get("/follows?as=cmcas");
      return list.body.find((f: { state: string }) => f.state === "accepted");
    });

    const author = await createMember(a!.instance, "member", "auteur");
    const agent = await loggedIn(a!.instance, author);
    const id = await newTutorial(a!.instance, agent, { title: "Un nichoir à mésanges" });
    await addStep(agent, id, "Couper les planches", "Six planches de sapin");
    assert.equal((await publish(agent, id)).status, 303);
    const uri = `${a!.url}/tutorials/${id}`;
    const onB = await waitFor("the tutorial on B", async () =>
      b!.instance.ctx.db
        .selectFrom("tutorials")
        .select("id")
        .where("remote_uri", "=", uri)
        .executeTakeFirst(),
    );

    const reader = await forumMember(b!.instance, "member", { prefix: "lecteur" });
    const page = `/tutorials/${onB.id}`;
    const commented = await submit(reader.agent, page, `${page}/comments`, {
      text: "Quel diamètre pour le trou d'envol ?",
    });
    assert.equal(commented.status, 303, commented.text);

    const form = await reader.agent.get(page);
    const made = await reader.agent
      .post(`${page}/made`)
      .field("_csrf", csrfFrom(form.text))
      .field("body", "Posé au printemps, déjà occupé !")
      .field("alt", "Un nichoir en sapin accroché à un chêne")
      .attach("image", await photo(), { filename: "nichoir.jpg", contentType: "image/jpeg" });
    assert.equal(made.status, 303, made.text);

    const useful = await submit(reader.agent, page, `${page}/useful`, { on: "1" });
    assert.equal(useful.status, 303, useful.text);

    // On A: the comment is a post of the tutorial's topic, in the tutorials' discussion group.
    const db = a!.instance.ctx.db;
    const post = await waitFor("the comment on A", async () =>
      db
        .selectFrom("forum_posts as p")
        .innerJoin("forum_groups as g", "g.id", "p.group_id")
        .innerJoin("tutorials as t", "t.topic_id", "p.topic_id")
        .select(["p.text_plain", "p.author_name", "p.ap_id", "g.slug", "t.id"])
        .where("t.id", "=", id)
        .executeTakeFirst(),
    );
    assert.match(post.text_plain, /trou d'envol/);
    assert.equal(post.slug, "tutoriels_discussions");
    assert.ok(post.ap_id?.startsWith(b!.url), post.ap_id ?? "");
    assert.match(post.author_name ?? "", /lecteur/);

    // The made-it post joins A's gallery, with its photo where B keeps it.
    const remoteMade = await waitFor("the made-it post on A", async () =>
      db.selectFrom("tutorial_made").selectAll().where("tutorial_id", "=", id).executeTakeFirst(),
    );
    assert.match(remoteMade.body, /déjà occupé/);
    assert.equal(remoteMade.author_id, null);
    assert.equal(remoteMade.remote_image_alt, "Un nichoir en sapin accroché à un chêne");
    assert.ok(remoteMade.remote_image_url?.startsWith(`${b!.url}/tutorials/made/`));
    const served = await fetch(remoteMade.remote_image_url!);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("content-type"), "image/jpeg");
    const shown = await agent.get(`/tutorials/${id}`);
    assert.match(shown.text, /déjà occupé/);
    assert.match(shown.text, /trou d&#x27;envol|trou d'envol/);

    // The author on A is told of both.
    const kinds = await waitFor("the author's notifications", async () => {
      const rows = await db
        .selectFrom("notifications")
        .select("kind")
        .where("user_id", "=", author.user.id)
        .execute();
      const list = rows.map((r) => r.kind).sort();
      return list.length >= 2 ? list : undefined;
    });
    assert.deepEqual(kinds, ["tutorials:commented", "tutorials:made"]);

    const count = async () =>
      (
        await db
          .selectFrom("tutorials")
          .select("useful_count")
          .where("id", "=", id)
          .executeTakeFirstOrThrow()
      ).useful_count;
    await waitFor("the vote on A", async () => ((await count()) === 1 ? true : undefined));
    const votes = await db.selectFrom("tutorial_remote_useful").selectAll().execute();
    assert.equal(votes.length, 1);
    assert.equal(votes[0]!.actor_uri, `${b!.url}/users/${reader.user.id}`);

    // The same vote again changes nothing; taking it back (Undo) removes it on A.
    const again = await submit(reader.agent, page, `${page}/useful`, { on: "1" });
    assert.equal(again.status, 303);
    const undone = await submit(reader.agent, page, `${page}/useful`, { on: "0" });
    assert.equal(undone.status, 303);
    await waitFor("the Undo on A", async () => ((await count()) === 0 ? true : undefined));
    await drain(a!, b!);
    assert.equal((await db.selectFrom("tutorial_remote_useful").selectAll().execute()).length, 0);
  });
});
