import assert from "node:assert/strict";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitForMail } from "../support/mail.ts";
import { browser, csrfFrom, unescapeHtml } from "../support/web.ts";
import { NEW_ACCOUNT } from "../../server/forums/topics.service.ts";
import {
  ageAccount,
  eventually,
  forumMember,
  newGroup,
  notificationsOf,
  type ForumMember,
} from "./helpers.ts";

// The smallest valid PNG (1×1 transparent pixel).
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/** Payloads survive only as visible text: no real tag runs a script or carries a handler. */
function assertInert(html: string) {
  const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
  assert.ok(tags.length > 0);
  for (const tag of tags)
    assert.doesNotMatch(tag, /^<(script|img|iframe)|\son\w+=|javascript:/i, tag);
}

describe("forums: writing, reading and notifications", () => {
  let instance: TestInstance;
  let staff: ForumMember;
  let alice: ForumMember;
  let bob: ForumMember;

  before(async () => {
    instance = await startTestInstance();
    staff = await forumMember(instance, "staff");
    alice = await forumMember(instance, "member", { prefix: "alice" });
    bob = await forumMember(instance, "member", { prefix: "bob" });
  });
  after(() => instance.destroy());

  it("renders script and event-handler payloads inert", async () => {
    const group = await newGroup(instance, staff, { name: "Bac à sable" });
    const payload = [
      "<script>alert('x')</script>",
      '<img src=x onerror="alert(1)">',
      "[clic](javascript:alert(1))",
      '<a href="#" onclick="alert(2)">lien</a>',
      "**gras** et https://exemple.fr",
    ].join("\n\n");
    const created = await alice.api.post(`/groups/${group.id}/topics`, {
      title: "<b>Titre</b>",
      content: payload,
    });
    assert.equal(created.status, 201);
    const page = await browser(instance.url).get(`/topics/${created.body.id}`);
    assert.equal(page.status, 200);
    const body = /<div class="post__body">([\s\S]*?)<\/div>/.exec(page.text)![1]!;
    // Payloads survive only as visible text; no real tag carries a script or a handler.
    assertInert(body);
    assert.match(body, /&lt;script&gt;/);
    assert.match(body, /<strong>gras<\/strong>/);
    assert.match(body, /<a href="https:\/\/exemple.fr" rel="nofollow ugc noopener noreferrer">/);
    // The title is text, escaped by the page.
    assert.match(page.text, /<h1>&lt;b&gt;Titre&lt;\/b&gt;<\/h1>/);
    const api = await bob.api.get(`/topics/${created.body.id}`);
    assertInert(api.body.posts[0].content as string);
  });

  it("notifies mentioned members, answered authors and subscribers, and keeps remote mentions", async () => {
    const group = await newGroup(instance, staff, { name: "Vélo loisir" });
    const carol = await forumMember(instance, "member", { prefix: "carol" });
    // Carol wants each forum notice by mail.
    await carol.api.patch("/me", { notifications: { emailForums: "each" } });
    assert.equal((await bob.api.post(`/groups/${group.id}/membership`)).body.outcome, "joined");

    const topic = await alice.api.post(`/groups/${group.id}/topics`, {
      title: "Balade de printemps",
      content: `Qui vient ? @${carol.username} et @Paul@lemmy.example tu es le bienvenu. @personne_inconnue`,
    });
    assert.equal(topic.status, 201);
    const mention = await eventually(async () =>
      (await notificationsOf(instance, carol.user.id)).find((n) => n.kind === "forums:mention"),
    );
    assert.equal(mention.data.topic, "Balade de printemps");
    assert.equal(mention.link, `/topics/${topic.body.id}`);
    const mail = await waitForMail(instance.dataDir, carol.email, /mentionné/);
    assert.match(mail.text, new RegExp(`/topics/${topic.body.id}`));
    // Bob joined the group, which subscribes him to new topics.
    await eventually(async () =>
      (await notificationsOf(instance, bob.user.id)).find((n) => n.kind === "forums:newTopic"),
    );
    const mentions = await instance.ctx.db.selectFrom("forum_mentions").selectAll().execute();
    const remote = mentions.find((m) => m.acct === "paul@lemmy.example");
    assert.ok(remote, "the remote mention is kept for federation");
    assert.equal(remote.user_id, null);
    assert.ok(!mentions.some((m) => m.acct === "personne_inconnue"));
    // The rendered mention is marked up, the author is not told about their own post.
    const api = await bob.api.get(`/topics/${topic.body.id}`);
    assert.match(
      api.body.posts[0].content,
      new RegExp(`<span class="mention">@${carol.username}</span>`),
    );
    assert.equal((await notificationsOf(instance, alice.user.id)).length, 0);

    // A threaded reply and a quote tell the author they answer.
    const opening = api.body.posts[0].id as string;
    const reply = await bob.api.post(`/topics/${topic.body.id}/replies`, {
      content: "Moi !",
      inReplyTo: opening,
    });
    assert.equal(reply.body.inReplyTo, opening);
    await eventually(async () =>
      (await notificationsOf(instance, alice.user.id)).find((n) => n.kind === "forums:reply"),
    );
    const quote = await carol.api.post(`/topics/${topic.body.id}/replies`, {
      content: "> Moi !\n\nBob aussi, super.",
      inReplyTo: reply.body.id,
      quoteOf: reply.body.id,
    });
    assert.equal(quote.status, 201);
    await eventually(async () =>
      (await notificationsOf(instance, bob.user.id)).find((n) => n.kind === "forums:reply"),
    );
    // The quote link opens the reply form with the quoted text ready.
    const quoting = await alice.agent.get(`/posts/${reply.body.id}/reply?quote=1`);
    assert.equal(quoting.status, 200);
    assert.match(quoting.text, /<textarea[^>]*>&gt; [^\n]* a écrit :\n&gt;\n&gt; Moi !/);
    assert.match(quoting.text, new RegExp(`name="quoteOf" value="${reply.body.id}"`));
    const page = await alice.agent.get(`/topics/${topic.body.id}`);
    assert.match(page.text, /En réponse à/);
    assert.match(page.text, /<blockquote>/);
    // Bob keeps the default preference, the daily digest: the digest job mails his forum news.
    await instance.ctx.queue.enqueue("notifications.digest", {});
    const digest = await waitForMail(instance.dataDir, bob.email, /résumé/);
    assert.match(digest.text, /Nouveau sujet dans Vélo loisir/);
    // A member of another group is not told about posts they cannot read.
    const hidden = await newGroup(instance, staff, { name: "Bureau", visibility: "private" });
    await staff.api.post(`/groups/${hidden.id}/topics`, {
      title: "Ordre du jour",
      content: `@${carol.username} ?`,
    });
    await new Promise((r) => setTimeout(r, 500));
    const carolNotices = await notificationsOf(instance, carol.user.id);
    assert.ok(!carolNotices.some((n) => n.data.topic === "Ordre du jour"));
  });

  it("slows down brand-new accounts, and only them", async () => {
    const group = await newGroup(instance, staff, { name: "Nouveaux venus" });
    const newcomer = await forumMember(instance, "member", { fresh: true });
    const first = await newcomer.api.post(`/groups/${group.id}/topics`, {
      title: "Bonjour",
      content: "Je suis nouveau.",
    });
    assert.equal(first.status, 201);
    const second = await newcomer.api.post(`/topics/${first.body.id}/replies`, {
      content: "Encore moi",
    });
    assert.equal(second.status, 429);
    assert.match(second.body.detail, /compte est récent/);
    assert.match(
      second.body.detail,
      new RegExp(`${NEW_ACCOUNT.minSecondsBetweenPosts / 60} minutes`),
    );
    // On the page, the form comes back with the text and the explanation.
    const page = await newcomer.agent.get(`/topics/${first.body.id}`);
    const res = await newcomer.agent
      .post(`/topics/${first.body.id}/replies`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), content: "Mon texte à garder" });
    assert.equal(res.status, 429);
    assert.match(unescapeHtml(res.text), /compte est récent/);
    assert.match(unescapeHtml(res.text), /Mon texte à garder/);
    // An established account posts twice in a row without waiting.
    assert.equal(
      (await alice.api.post(`/topics/${first.body.id}/replies`, { content: "Bienvenue !" })).status,
      201,
    );
    assert.equal(
      (await alice.api.post(`/topics/${first.body.id}/replies`, { content: "Et bonne visite." }))
        .status,
      201,
    );
    // Once the account is a week old, the limit is gone.
    await ageAccount(instance, newcomer.user.id, NEW_ACCOUNT.days);
    assert.equal(
      (await newcomer.api.post(`/topics/${first.body.id}/replies`, { content: "Encore moi" }))
        .status,
      201,
    );
  });

  it("keeps pages small and marks what is unread", async () => {
    const group = await newGroup(instance, staff, { name: "Petites annonces" });
    for (let i = 1; i <= 23; i++) {
      const res = await staff.api.post(`/groups/${group.id}/topics`, {
        title: `Annonce ${i}`,
        content: `Texte ${i}`,
      });
      assert.equal(res.status, 201);
    }
    const first = await alice.api.get(`/groups/${group.id}/topics`);
    assert.equal(first.body.items.length, 20);
    assert.deepEqual([first.body.page, first.body.pages, first.body.total], [1, 2, 23]);
    assert.equal(first.body.items[0].title, "Annonce 23");
    const second = await alice.api.get(`/groups/${group.id}/topics?page=2`);
    assert.deepEqual(
      second.body.items.map((t: { title: string }) => t.title),
      ["Annonce 3", "Annonce 2", "Annonce 1"],
    );
    const html = await browser(instance.url).get(`/groups/${group.slug}?page=2`);
    assert.match(html.text, /Page 2 sur 2/);
    assert.match(unescapeHtml(html.text), /href="\?page=1" rel="prev"/);
    assert.match(html.text, /Annonce 1</);
    assert.doesNotMatch(html.text, /Annonce 23</);

    const topicId = first.body.items[0].id as string;
    for (let i = 1; i <= 24; i++)
      await staff.api.post(`/topics/${topicId}/replies`, { content: `Réponse ${i}` });
    // 25 posts: 20 on the first page, 5 on the second.
    const topicPage2 = await alice.api.get(`/topics/${topicId}?page=2`);
    assert.equal(topicPage2.body.posts.length, 5);
    assert.equal(topicPage2.body.posts[0].position, 21);
    assert.equal(topicPage2.body.pages, 2);
    const html1 = await alice.agent.get(`/topics/${topicId}`);
    assert.equal((html1.text.match(/<article class="post/g) ?? []).length, 20);
    assert.match(unescapeHtml(html1.text), /href="\?page=2" rel="next"/);

    // Bob joins and reads the first page; a new reply comes: 6 posts are unread for him.
    const unreadOf = async () =>
      (await bob.api.get(`/groups/${group.id}/topics`)).body.items.find(
        (t: { id: string }) => t.id === topicId,
      ).unread as number;
    await bob.api.post(`/groups/${group.id}/membership`);
    await bob.agent.get(`/topics/${topicId}`);
    await staff.api.post(`/topics/${topicId}/replies`, { content: "Une de plus" });
    assert.equal(await unreadOf(), 6);
    const groupPage = await bob.agent.get(`/groups/${group.slug}`);
    assert.match(groupPage.text, /6 nouveaux messages/);
    assert.match(unescapeHtml(groupPage.text), new RegExp(`/topics/${topicId}\\?page=2#unread`));
    const read = await bob.agent.get(`/topics/${topicId}?page=2`);
    assert.match(read.text, /id="unread"/);
    assert.match(read.text, /Nouveaux messages depuis votre dernière visite/);
    assert.equal(await unreadOf(), 0);
  });

  it("edits with an 'edited' mark, likes once per member", async () => {
    const group = await newGroup(instance, staff, { name: "Théâtre" });
    const topic = await alice.api.post(`/groups/${group.id}/topics`, {
      title: "Pièce de mai",
      content: "Premier jet",
    });
    const postId = (await alice.api.get(`/topics/${topic.body.id}`)).body.posts[0].id as string;
    assert.equal((await bob.api.patch(`/posts/${postId}`, { content: "Piraté" })).status, 403);
    const edited = await alice.api.patch(`/posts/${postId}`, {
      content: "Version corrigée\n\n- acte 1\n- acte 2",
      title: "Pièce de juin",
    });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.edited, true);
    assert.match(edited.body.content, /Version corrigée/);
    // The edit form gives back exactly what was written, line by line.
    const editForm = await alice.agent.get(`/posts/${postId}/edit`);
    assert.match(
      editForm.text,
      /<textarea[^>]*>Version corrigée\n\n- acte 1\n- acte 2<\/textarea>/,
    );
    const page = await bob.agent.get(`/topics/${topic.body.id}`);
    assert.match(page.text, /modifié le/);
    assert.match(page.text, /<h1>Pièce de juin<\/h1>/);

    assert.equal((await bob.api.put(`/posts/${postId}/like`)).body.likes, 1);
    assert.equal((await bob.api.put(`/posts/${postId}/like`)).body.likes, 1);
    assert.equal((await staff.api.put(`/posts/${postId}/like`)).body.likes, 2);
    const form = await bob.agent.get(`/topics/${topic.body.id}`);
    assert.match(form.text, /aria-pressed="true"/);
    const unlike = await bob.agent
      .post(`/posts/${postId}/like`)
      .type("form")
      .send({ _csrf: csrfFrom(form.text), on: "0" });
    assert.equal(unlike.status, 303);
    assert.equal((await alice.api.get(`/topics/${topic.body.id}`)).body.posts[0].likes, 1);
  });

  it("accepts checked images only and serves them with their real type", async () => {
    const group = await newGroup(instance, staff, { name: "Galerie" });
    const formPage = await alice.agent.get(`/groups/${group.slug}/topics/new`);
    assert.equal(formPage.status, 200);
    assert.match(formPage.text, /enctype="multipart\/form-data"/);
    const post = (file: Buffer, name: string, description: string) =>
      alice.agent
        .post(`/groups/${group.slug}/topics/new`)
        .field("_csrf", csrfFrom(formPage.text))
        .field("title", "Coucher de soleil")
        .field("content", "Pris depuis la plage.")
        .field("imageDescription", description)
        .attach("image", file, name);

    // An SVG, or HTML renamed .png, is refused whatever its name or declared type.
    const svg = await post(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      "x.png",
      "Soleil",
    );
    assert.equal(svg.status, 422);
    assert.match(unescapeHtml(svg.text), /pas une image acceptée/);
    const noDescription = await post(PNG, "soleil.png", "");
    assert.equal(noDescription.status, 422);
    assert.match(noDescription.text, /id="error-imageDescription"/);

    const ok = await post(PNG, "soleil.txt", "Le soleil se couche sur la mer");
    assert.equal(ok.status, 303);
    const topicPage = await alice.agent.get(ok.headers.location!);
    const src =
      /<img src="(\/forums\/media\/[0-9a-f-]+)" alt="Le soleil se couche sur la mer"/.exec(
        topicPage.text,
      )?.[1];
    assert.ok(src, "the image is shown with its description");
    const image = await browser(instance.url).get(src);
    assert.equal(image.status, 200);
    assert.equal(image.headers["content-type"], "image/png");
    assert.equal(image.headers["x-content-type-options"], "nosniff");
    assert.match(image.headers["content-security-policy"]!, /sandbox/);
    assert.deepEqual(Buffer.from(image.body as Buffer), PNG);
  });
});
