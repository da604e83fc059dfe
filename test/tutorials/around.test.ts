// Around a tutorial: comments through the forums (mentions, likes, justified removal),
// "Je l'ai fait !" posts with their photo, favourites, "useful" votes, and the offer page
// listing the tutorials taught at its activity.
import assert from "node:assert/strict";
import supertest from "supertest";
import { loggedIn, type Member } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { csrfFrom, submit, unescapeHtml, type Agent } from "../support/web.ts";
import { eventually, forumMember } from "../forums/helpers.ts";
import { makeOffer } from "../offers/support.ts";
import { addStep, newTutorial, photo, publish } from "./support.ts";

describe(`tutorials: comments, made-it posts, votes (${MODE})`, () => {
  let instance: TestInstance;
  let author: Member;
  let agent: Agent;
  let reader: Member;
  let readerAgent: Agent;
  let tutorialId: string;

  before(async () => {
    instance = await startTestInstance();
    author = await forumMember(instance, "member", { prefix: "auteur" });
    agent = await loggedIn(instance, author);
    reader = await forumMember(instance, "member", { prefix: "lecteur" });
    readerAgent = await loggedIn(instance, reader);
    tutorialId = await newTutorial(instance, agent, { title: "Tailler un rosier" });
    await addStep(agent, tutorialId, "Choisir le moment");
    await publish(agent, tutorialId);
  });
  after(() => instance.destroy());

  const notes = (userId: string, kind: string) =>
    instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data", "link"])
      .where("user_id", "=", userId)
      .where("kind", "=", kind)
      .execute();

  it("takes comments through the forums: the author is told, mentions notify, likes and removal with a reason work", async () => {
    const third = await forumMember(instance, "member", { prefix: "tiers" });
    const first = await submit(
      readerAgent,
      `/tutorials/${tutorialId}`,
      `/tutorials/${tutorialId}/comments`,
      {
        text: `Merci ! Faut-il le faire en mars, @${third.username} ?`,
      },
    );
    assert.equal(first.status, 303);
    const second = await submit(
      agent,
      `/tutorials/${tutorialId}`,
      `/tutorials/${tutorialId}/comments`,
      {
        text: "Oui, fin février ou début mars.",
      },
    );
    assert.equal(second.status, 303);
    const page = await readerAgent.get(`/tutorials/${tutorialId}`);
    const text = unescapeHtml(page.text);
    assert.match(text, /Faut-il le faire en mars/);
    assert.match(text, /fin février ou début mars/);
    const told = await notes(author.user.id, "tutorials:commented");
    assert.equal(told.length, 1);
    assert.equal(told[0]!.link, `/tutorials/${tutorialId}#comments`);
    // The mention is the forums' own notification, sent by their job after commit.
    await eventually(async () => {
      const m = await notes(third.user.id, "forums:mention");
      return m.length > 0 ? m : undefined;
    });
    const posts = await instance.ctx.db
      .selectFrom("forum_posts as p")
      .innerJoin("tutorials as t", "t.topic_id", "p.topic_id")
      .select(["p.id", "p.position"])
      .where("t.id", "=", tutorialId)
      .orderBy("p.position")
      .execute();
    assert.equal(posts.length, 2);
    // Liking is the forums' like.
    const liked = await submit(agent, `/tutorials/${tutorialId}`, `/posts/${posts[0]!.id}/like`, {
      on: 1,
    });
    assert.ok([302, 303].includes(liked.status), `like answered ${liked.status}`);
    const likes = await instance.ctx.db
      .selectFrom("forum_posts")
      .select("like_count")
      .where("id", "=", posts[0]!.id)
      .executeTakeFirstOrThrow();
    assert.equal(likes.like_count, 1);
    // A moderator removes a comment with a reason: the forums' moderation.
    const moderator = await forumMember(instance, "moderator");
    const removed = await submit(
      moderator.agent,
      `/posts/${posts[1]!.id}/remove`,
      `/posts/${posts[1]!.id}/remove`,
      { reason: "Hors sujet" },
    );
    assert.ok([302, 303].includes(removed.status), `remove answered ${removed.status}`);
    const after = unescapeHtml((await readerAgent.get(`/tutorials/${tutorialId}`)).text);
    assert.doesNotMatch(after, /fin février ou début mars/);
    assert.match(after, /Hors sujet/);
    const empty = await submit(
      readerAgent,
      `/tutorials/${tutorialId}`,
      `/tutorials/${tutorialId}/comments`,
      { text: " " },
    );
    assert.equal(empty.status, 422);
  });

  it("shows 'Je l'ai fait !' posts as a gallery, counts them, and lets staff remove one with a reason", async () => {
    const page = await readerAgent.get(`/tutorials/${tutorialId}`);
    const noAlt = await readerAgent
      .post(`/tutorials/${tutorialId}/made`)
      .field("_csrf", csrfFrom(page.text))
      .field("body", "Sans description")
      .field("alt", "")
      .attach("image", await photo(), { filename: "rosier.jpg", contentType: "image/jpeg" });
    assert.equal(noAlt.status, 422);
    assert.equal(
      (await instance.ctx.db.selectFrom("tutorial_made").selectAll().execute()).length,
      0,
    );
    const done = await readerAgent
      .post(`/tutorials/${tutorialId}/made`)
      .field("_csrf", csrfFrom(page.text))
      .field("body", "Mon rosier refleurit !")
      .field("alt", "Un rosier taillé au printemps")
      .attach("image", await photo(), { filename: "rosier.jpg", contentType: "image/jpeg" });
    assert.equal(done.status, 303, done.text);
    const shown = await supertest(instance.url).get(`/tutorials/${tutorialId}`);
    assert.match(unescapeHtml(shown.text), /Mon rosier refleurit/);
    assert.match(shown.text, /alt="Un rosier taillé au printemps"/);
    const row = await instance.ctx.db
      .selectFrom("tutorials")
      .select("made_count")
      .where("id", "=", tutorialId)
      .executeTakeFirstOrThrow();
    assert.equal(row.made_count, 1);
    assert.equal((await notes(author.user.id, "tutorials:made")).length, 1);
    const made = await instance.ctx.db
      .selectFrom("tutorial_made")
      .select("id")
      .executeTakeFirstOrThrow();
    const staff = await forumMember(instance, "staff");
    const noReason = await submit(
      staff.agent,
      `/tutorials/${tutorialId}`,
      `/tutorials/${tutorialId}/made/${made.id}/remove`,
      {},
    );
    assert.equal(noReason.status, 422);
    const removed = await submit(
      staff.agent,
      `/tutorials/${tutorialId}`,
      `/tutorials/${tutorialId}/made/${made.id}/remove`,
      {
        reason: "Photo d'un autre site",
      },
    );
    assert.equal(removed.status, 303);
    assert.doesNotMatch(
      unescapeHtml((await supertest(instance.url).get(`/tutorials/${tutorialId}`)).text),
      /Mon rosier refleurit/,
    );
    const told = await notes(reader.user.id, "tutorials:madeRemoved");
    assert.equal((told[0]!.data as { reason: string }).reason, "Photo d'un autre site");
  });

  it("keeps one useful vote per member, none for the author, and favourites", async () => {
    for (let i = 0; i < 2; i++)
      assert.equal(
        (
          await submit(readerAgent, `/tutorials/${tutorialId}`, `/tutorials/${tutorialId}/useful`, {
            on: 1,
          })
        ).status,
        303,
      );
    const own = await submit(agent, `/tutorials/${tutorialId}`, `/tutorials/${tutorialId}/useful`, {
      on: 1,
    });
    assert.equal(own.status, 422);
    const count = async () =>
      (
        await instance.ctx.db
          .selectFrom("tutorials")
          .select("useful_count")
          .where("id", "=", tutorialId)
          .executeTakeFirstOrThrow()
      ).useful_count;
    assert.equal(await count(), 1);
    await submit(readerAgent, `/tutorials/${tutorialId}`, `/tutorials/${tutorialId}/useful`, {
      on: 0,
    });
    assert.equal(await count(), 0);
    // Before any favourite: an empty list, not an error.
    const none = await readerAgent.get("/tutorials/favourites");
    assert.equal(none.status, 200);
    assert.doesNotMatch(unescapeHtml(none.text), /Tailler un rosier/);
    await submit(readerAgent, `/tutorials/${tutorialId}`, `/tutorials/${tutorialId}/favourite`, {
      on: 1,
    });
    const favourites = await readerAgent.get("/tutorials/favourites");
    assert.match(unescapeHtml(favourites.text), /Tailler un rosier/);
  });

  it("links a tutorial to the offer where it is taught, and the offer's page lists it", async () => {
    const staff = await forumMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id, { title: "Atelier taille des rosiers" });
    const linked = await submit(
      agent,
      `/tutorials/${tutorialId}/edit`,
      `/tutorials/${tutorialId}/offer`,
      {
        offer: `${instance.url}/offers/${offer.id}`,
      },
    );
    assert.equal(linked.status, 303);
    const offerPage = await supertest(instance.url).get(`/offers/${offer.id}`);
    assert.match(unescapeHtml(offerPage.text), /Tutoriels liés à cette activité/);
    assert.match(offerPage.text, new RegExp(`/tutorials/${tutorialId}`));
    const tutorialPage = await supertest(instance.url).get(`/tutorials/${tutorialId}`);
    assert.match(unescapeHtml(tutorialPage.text), /Atelier taille des rosiers/);
    const bad = await submit(
      agent,
      `/tutorials/${tutorialId}/edit`,
      `/tutorials/${tutorialId}/offer`,
      {
        offer: "n'importe quoi",
      },
    );
    assert.equal(bad.status, 422);
  });
});
