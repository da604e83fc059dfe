import assert from "node:assert/strict";
import { sql } from "kysely";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, submit, unescapeHtml } from "../support/web.ts";
import { forumMember, newGroup, notificationsOf, type ForumMember } from "./helpers.ts";

describe("forums: moderation is explicit and justified", () => {
  let instance: TestInstance;
  let moderator: ForumMember;
  let author: ForumMember;
  let reader: ForumMember;

  before(async () => {
    instance = await startTestInstance();
    moderator = await forumMember(instance, "staff");
    author = await forumMember(instance);
    reader = await forumMember(instance);
  });
  after(() => instance.destroy());

  async function topicIn(groupId: string, title: string, content = "Premier message du sujet.") {
    const res = await author.api.post(`/groups/${groupId}/topics`, { title, content });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: string };
  }

  it("refuses a removal without a reason, then logs the reason publicly and tells the author", async () => {
    const group = await newGroup(instance, moderator, { name: "Randonnée du dimanche" });
    const topic = await topicIn(group.id, "Sortie au lac");
    const reply = await author.api.post(`/topics/${topic.id}/replies`, {
      content: "Achetez mes montres !",
    });
    assert.equal(reply.status, 201);
    const postId = reply.body.id as string;

    // API: no reason, or only blanks, is refused with a clear problem.
    for (const body of [{}, { reason: "   " }]) {
      const refused = await moderator.api.post(`/posts/${postId}/removal`, body);
      assert.equal(refused.status, 422);
      assert.equal(refused.type, "application/problem+json");
      assert.match(refused.body.detail, /Donnez un motif/);
    }
    // Page: the same refusal, shown beside the field.
    const page = await submit(
      moderator.agent,
      `/posts/${postId}/remove`,
      `/posts/${postId}/remove`,
      {
        reason: "",
      },
    );
    assert.equal(page.status, 422);
    assert.match(page.text, /class="error-summary"/);
    assert.match(unescapeHtml(page.text), /Donnez un motif/);
    const stillThere = await reader.api.get(`/topics/${topic.id}`);
    assert.equal(stillThere.body.posts[1].removal, null);

    // A member may not remove.
    assert.equal(
      (await reader.api.post(`/posts/${postId}/removal`, { reason: "Pas d'accord" })).status,
      403,
    );

    const removed = await submit(
      moderator.agent,
      `/posts/${postId}/remove`,
      `/posts/${postId}/remove`,
      {
        reason: "Publicité interdite (règle 2)",
      },
    );
    assert.equal(removed.status, 303);

    // Others see the notice and the reason, not the content.
    const seen = await browser(instance.url).get(`/topics/${topic.id}`);
    assert.match(seen.text, /retiré par la modération/);
    assert.match(unescapeHtml(seen.text), /Publicité interdite \(règle 2\)/);
    assert.doesNotMatch(seen.text, /Achetez mes montres/);
    const api = await reader.api.get(`/topics/${topic.id}`);
    assert.equal(api.body.posts[1].content, null);
    assert.equal(api.body.posts[1].removal.reason, "Publicité interdite (règle 2)");
    // The author still sees what was removed, and why.
    const own = await author.agent.get(`/topics/${topic.id}`);
    assert.match(own.text, /Achetez mes montres/);
    assert.match(own.text, /Vous seul et les modérateurs/);
    const notices = await notificationsOf(instance, author.user.id);
    const notice = notices.find((n) => n.kind === "forums:postRemoved");
    assert.equal(notice?.data.reason, "Publicité interdite (règle 2)");

    // The public log (anyone may read this public group) shows the action and its reason.
    const log = await browser(instance.url).get(`/groups/${group.slug}/moderation`);
    assert.equal(log.status, 200);
    const text = unescapeHtml(log.text);
    assert.match(text, /Message retiré/);
    assert.match(text, /Publicité interdite \(règle 2\)/);
    assert.match(text, /Sortie au lac/);
    const logApi = await reader.api.get(`/groups/${group.id}/moderation-log`);
    assert.equal(logApi.body.items[0].action, "remove");
    assert.equal(logApi.body.items[0].reason, "Publicité interdite (règle 2)");

    // Removing the opening post removes the topic from the group's list.
    assert.equal(
      (
        await moderator.api.post(
          `/posts/${(await reader.api.get(`/topics/${topic.id}`)).body.posts[0].id}/removal`,
          { reason: "Hors sujet" },
        )
      ).status,
      204,
    );
    const list = await reader.api.get(`/groups/${group.id}/topics`);
    assert.equal(list.body.items.length, 0);
  });

  it("locks a topic: members can no longer reply, with or without the form", async () => {
    const group = await newGroup(instance, moderator, { name: "Entraide numérique" });
    const topic = await topicIn(group.id, "Imprimante en panne");
    assert.equal((await moderator.api.post(`/topics/${topic.id}/lock`, {})).status, 422);
    assert.equal(
      (await moderator.api.post(`/topics/${topic.id}/lock`, { reason: "Question résolue" })).status,
      204,
    );

    const api = await reader.api.post(`/topics/${topic.id}/replies`, { content: "Et moi ?" });
    assert.equal(api.status, 409);
    assert.match(api.body.detail, /fermé/);
    const page = await reader.agent.get(`/topics/${topic.id}`);
    assert.match(page.text, /Ce sujet est fermé/);
    assert.doesNotMatch(page.text, /action="\/topics\/[^"]+\/replies"/);
    const forced = await reader.agent
      .post(`/topics/${topic.id}/replies`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), content: "Je force" });
    assert.equal(forced.status, 409);
    const after = await reader.api.get(`/topics/${topic.id}`);
    assert.equal(after.body.topic.postCount, 1);
    assert.equal(after.body.topic.locked, true);
    // The moderators may still explain the decision in the topic.
    assert.equal(
      (await moderator.api.post(`/topics/${topic.id}/replies`, { content: "Merci à tous." }))
        .status,
      201,
    );
    const log = await reader.api.get(`/groups/${group.id}/moderation-log`);
    assert.equal(log.body.items[0].action, "lock");
    assert.equal(log.body.items[0].reason, "Question résolue");

    assert.equal(
      (await moderator.api.post(`/topics/${topic.id}/unlock`, { reason: "Nouvelle question" }))
        .status,
      204,
    );
    assert.equal(
      (await reader.api.post(`/topics/${topic.id}/replies`, { content: "Et moi ?" })).status,
      201,
    );
  });

  it("bans a member from posting until the ban expires", async () => {
    const group = await newGroup(instance, moderator, { name: "Photo club" });
    const topic = await topicIn(group.id, "Vos plus belles photos");
    const target = await forumMember(instance);
    const refused = await moderator.api.post(`/groups/${group.id}/bans`, {
      username: target.username,
      days: 7,
    });
    assert.equal(refused.status, 422);
    const banned = await moderator.api.post(`/groups/${group.id}/bans`, {
      username: target.username,
      days: 7,
      reason: "Insultes répétées",
    });
    assert.equal(banned.status, 201);

    const reply = await target.api.post(`/topics/${topic.id}/replies`, { content: "Je reviens" });
    assert.equal(reply.status, 403);
    assert.match(reply.body.detail, /Insultes répétées/);
    assert.equal(
      (await target.api.post(`/groups/${group.id}/topics`, { title: "Nouveau", content: "x" }))
        .status,
      403,
    );
    const page = await target.agent.get(`/groups/${group.slug}`);
    assert.match(unescapeHtml(page.text), /jusqu'au/);
    assert.match(unescapeHtml(page.text), /Insultes répétées/);
    assert.ok(
      (await notificationsOf(instance, target.user.id)).some((n) => n.kind === "forums:banned"),
    );
    const log = await browser(instance.url).get(`/groups/${group.slug}/moderation`);
    assert.match(unescapeHtml(log.text), /Membre exclu[\s\S]*Insultes répétées/);
    // Other groups are not concerned.
    const elsewhere = await newGroup(instance, moderator, { name: "Jardinage" });
    assert.equal(
      (
        await target.api.post(`/groups/${elsewhere.id}/topics`, {
          title: "Tomates",
          content: "Semis",
        })
      ).status,
      201,
    );

    // The members page does the same, and refuses a ban without a reason.
    const other = await forumMember(instance);
    const members = `/groups/${group.slug}/members`;
    const noReason = await submit(moderator.agent, members, `/groups/${group.slug}/bans`, {
      member: other.username,
      days: "1",
    });
    assert.equal(noReason.status, 422);
    assert.match(noReason.text, /id="error-reason"/);
    const byPage = await submit(moderator.agent, members, `/groups/${group.slug}/bans`, {
      member: other.username,
      days: "1",
      reason: "Spam",
    });
    assert.equal(byPage.status, 303);
    assert.match((await moderator.agent.get(members)).text, /Exclusions en cours[\s\S]*Spam/);
    assert.equal(
      (await other.api.post(`/topics/${topic.id}/replies`, { content: "x" })).status,
      403,
    );

    // Seven days later the ban has expired.
    await instance.ctx.db
      .updateTable("forum_bans")
      .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where("user_id", "=", target.user.id)
      .execute();
    assert.equal(
      (await target.api.post(`/topics/${topic.id}/replies`, { content: "Je reviens" })).status,
      201,
    );
  });

  it("sends reports with a reason into the group's and the instance's queues", async () => {
    const group = await newGroup(instance, moderator, { name: "Cuisine" });
    const topic = await topicIn(
      group.id,
      "Recette du far breton",
      "Mon numéro de carte bleue est 1234",
    );
    const postId = (await reader.api.get(`/topics/${topic.id}`)).body.posts[0].id as string;

    const noReason = await reader.api.post("/reports", { postId });
    assert.equal(noReason.status, 422);
    const page = await submit(reader.agent, `/posts/${postId}/report`, `/posts/${postId}/report`, {
      reason: "Informations bancaires",
    });
    assert.equal(page.status, 303);
    assert.equal((await reader.api.post("/reports", { postId, reason: "Encore" })).status, 409);

    const queue = await moderator.api.get(`/groups/${group.id}/reports`);
    assert.equal(queue.status, 200);
    assert.equal(queue.body.items.length, 1);
    assert.equal(queue.body.items[0].reason, "Informations bancaires");
    assert.match(queue.body.items[0].content, /carte bleue/);
    assert.ok(
      (await notificationsOf(instance, moderator.user.id)).some(
        (n) => n.kind === "forums:reported",
      ),
    );
    const queuePage = await moderator.agent.get(`/groups/${group.slug}/reports`);
    assert.match(queuePage.text, /Informations bancaires/);
    // Members do not see the queue.
    assert.equal((await reader.api.get(`/groups/${group.id}/reports`)).status, 403);
    assert.equal((await reader.agent.get(`/groups/${group.slug}/reports`)).status, 403);

    // The instance queue, for instance moderators and admins only.
    const instanceModerator = await forumMember(instance, "moderator");
    const all = await instanceModerator.api.get("/reports");
    assert.ok(
      all.body.items.some((r: { reason: string }) => r.reason === "Informations bancaires"),
    );
    assert.match(
      (await instanceModerator.agent.get("/forums/reports")).text,
      /Informations bancaires/,
    );
    assert.equal((await reader.api.get("/reports")).status, 403);
    assert.equal((await moderator.agent.get("/forums/reports")).status, 403);

    // Removing the post resolves its report.
    await moderator.api.post(`/posts/${postId}/removal`, { reason: "Données personnelles" });
    assert.equal((await moderator.api.get(`/groups/${group.id}/reports`)).body.items.length, 0);
  });

  it("lets a group moderator name another moderator, who may then moderate", async () => {
    const group = await newGroup(instance, moderator, { name: "Chorale" });
    const topic = await topicIn(group.id, "Répétitions");
    const helper = await forumMember(instance);
    assert.equal((await helper.api.post(`/groups/${group.id}/membership`)).body.outcome, "joined");
    const firstPost = (await helper.api.get(`/topics/${topic.id}`)).body.posts[0].id as string;
    assert.equal((await helper.api.post(`/topics/${topic.id}/pin`, {})).status, 403);
    assert.equal((await helper.agent.get(`/groups/${group.slug}/members`)).status, 403);
    const promoted = await submit(
      moderator.agent,
      `/groups/${group.slug}/members`,
      `/groups/${group.slug}/members/${helper.user.id}/role`,
      { role: "moderator" },
    );
    assert.equal(promoted.status, 303);
    assert.equal((await helper.api.post(`/topics/${topic.id}/pin`, {})).status, 204);
    assert.equal((await helper.agent.get(`/groups/${group.slug}/members`)).status, 200);
    const removal = await helper.api.post(`/posts/${firstPost}/removal`, { reason: "Doublon" });
    assert.equal(removal.status, 204);

    // Moving a topic needs the right to moderate the target group too, on both doors.
    const elsewhere = await newGroup(instance, moderator, { name: "Orchestre" });
    const move = { groupId: elsewhere.id, reason: "Concerne l'orchestre" };
    const refused = await helper.api.post(`/topics/${topic.id}/move`, move);
    assert.equal(refused.status, 403);
    assert.equal(refused.type, "application/problem+json");
    const page = await helper.agent.get(`/topics/${topic.id}/moderate`);
    const web = await helper.agent
      .post(`/topics/${topic.id}/move`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), groupId: elsewhere.id, "reason-move": move.reason });
    assert.equal(web.status, 403);
    assert.equal((await reader.api.get(`/topics/${topic.id}`)).body.group.id, group.id);
  });

  it("pins and moves topics, and logs both groups", async () => {
    const from = await newGroup(instance, moderator, { name: "Questions diverses" });
    const to = await newGroup(instance, moderator, { name: "Voyages" });
    const first = await topicIn(from.id, "Premier");
    const second = await topicIn(from.id, "Second");
    assert.equal((await moderator.api.post(`/topics/${first.id}/pin`, {})).status, 204);
    const list = await reader.api.get(`/groups/${from.id}/topics`);
    assert.deepEqual(
      list.body.items.map((t: { title: string }) => t.title),
      ["Premier", "Second"],
    );
    assert.equal(list.body.items[0].pinned, true);

    assert.equal(
      (await moderator.api.post(`/topics/${second.id}/move`, { groupId: to.id })).status,
      422,
    );
    const moved = await submit(
      moderator.agent,
      `/topics/${second.id}/moderate`,
      `/topics/${second.id}/move`,
      {
        groupId: to.id,
        "reason-move": "Concerne les voyages",
      },
    );
    assert.equal(moved.status, 303);
    const topic = await reader.api.get(`/topics/${second.id}`);
    assert.equal(topic.body.group.id, to.id);
    const outLog = unescapeHtml(
      (await browser(instance.url).get(`/groups/${from.slug}/moderation`)).text,
    );
    assert.match(outLog, /Sujet déplacé[\s\S]*vers « Voyages »[\s\S]*Concerne les voyages/);
    const inLog = unescapeHtml(
      (await browser(instance.url).get(`/groups/${to.slug}/moderation`)).text,
    );
    assert.match(inLog, /Sujet reçu/);
    assert.ok(
      (await notificationsOf(instance, author.user.id)).some((n) => n.kind === "forums:topicMoved"),
    );
  });
});
