import assert from "node:assert/strict";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, submit, unescapeHtml } from "../support/web.ts";
import {
  addOfferParticipant,
  openOfferGroup,
  removeOfferParticipant,
  syncOfferGroupMembers,
} from "../../server/forums/offer-groups.service.ts";
import { forumMember, newGroup, notificationsOf, slug, type ForumMember } from "./helpers.ts";

describe("forums: who sees what, and French search", () => {
  let instance: TestInstance;
  let staff: ForumMember;
  let insider: ForumMember;
  let outsider: ForumMember;

  before(async () => {
    instance = await startTestInstance();
    staff = await forumMember(instance, "staff");
    insider = await forumMember(instance);
    outsider = await forumMember(instance);
  });
  after(() => instance.destroy());

  it("hides private groups from non-members and local groups from visitors, everywhere", async () => {
    const privateGroup = await newGroup(instance, staff, {
      name: "Conseil d'administration",
      slug: slug("conseil"),
      visibility: "private",
      joinPolicy: "invitation",
    });
    const localGroup = await newGroup(instance, staff, {
      name: "Vie locale",
      slug: slug("vie"),
      visibility: "local",
    });
    const publicGroup = await newGroup(instance, staff, {
      name: "Place publique",
      slug: slug("place"),
    });
    const secret = await staff.api.post(`/groups/${privateGroup.id}/topics`, {
      title: "Budget confidentiel",
      content: "Les chiffres du budget confidentiel",
    });
    const local = await staff.api.post(`/groups/${localGroup.id}/topics`, {
      title: "Fête du quartier",
      content: "La fête du quartier budget local",
    });
    await staff.api.post(`/groups/${publicGroup.id}/topics`, {
      title: "Bienvenue",
      content: "Un budget ouvert à tous",
    });
    assert.equal((await staff.api.post(`/groups/${privateGroup.id}/topics`, {})).status, 400);

    // Invite the insider, who accepts from the group page.
    const invited = await submit(
      staff.agent,
      `/groups/${privateGroup.slug}/members`,
      `/groups/${privateGroup.slug}/invite`,
      {
        username: insider.username,
      },
    );
    assert.equal(invited.status, 303);
    assert.ok(
      (await notificationsOf(instance, insider.user.id)).some((n) => n.kind === "forums:invited"),
    );
    const invitation = await insider.agent.get("/groups");
    assert.match(invitation.text, /Vos invitations/);
    assert.equal(
      (await insider.api.post(`/groups/${privateGroup.id}/membership`)).body.outcome,
      "joined",
    );
    // The outsider cannot join an invitation-only group.
    assert.equal((await outsider.api.post(`/groups/${privateGroup.id}/membership`)).status, 403);

    const anonymous = browser(instance.url);
    // Lists (pages and API).
    const anonymousList = await anonymous.get("/groups");
    assert.match(anonymousList.text, /Place publique/);
    assert.doesNotMatch(anonymousList.text, /Vie locale|Conseil d/);
    const outsiderList = await outsider.agent.get("/groups");
    assert.match(outsiderList.text, /Vie locale/);
    assert.doesNotMatch(unescapeHtml(outsiderList.text), /Conseil d'administration/);
    assert.match(
      unescapeHtml((await insider.agent.get("/groups")).text),
      /Conseil d'administration/,
    );
    const names = (res: { body: { items: { name: string }[] } }) =>
      res.body.items.map((g) => g.name);
    assert.deepEqual(
      names(await browser(instance.url).get("/api/v1/groups")).includes("Vie locale"),
      false,
    );
    assert.ok(!names(await outsider.api.get("/groups")).includes("Conseil d'administration"));
    assert.ok(names(await insider.api.get("/groups")).includes("Conseil d'administration"));

    // Group, topic and API pages: not found for those who may not read.
    for (const path of [
      `/groups/${privateGroup.slug}`,
      `/topics/${secret.body.id}`,
      `/groups/${privateGroup.slug}/moderation`,
    ]) {
      assert.equal((await outsider.agent.get(path)).status, 404, path);
      assert.equal((await anonymous.get(path)).status, 404, path);
    }
    for (const path of [`/groups/${localGroup.slug}`, `/topics/${local.body.id}`]) {
      assert.equal((await anonymous.get(path)).status, 404, path);
      assert.equal((await outsider.agent.get(path)).status, 200, path);
    }
    assert.equal((await outsider.api.get(`/topics/${secret.body.id}`)).status, 404);
    assert.equal((await outsider.api.get(`/groups/${privateGroup.id}/topics`)).status, 404);
    assert.equal(
      (await outsider.api.post(`/topics/${secret.body.id}/replies`, { content: "Coucou" })).status,
      404,
    );
    assert.equal((await browser(instance.url).get(`/api/v1/topics/${local.body.id}`)).status, 404);
    assert.equal((await insider.api.get(`/topics/${secret.body.id}`)).status, 200);
    assert.equal(
      (await insider.api.post(`/topics/${secret.body.id}/replies`, { content: "Bien reçu" }))
        .status,
      201,
    );

    // Search: each sees only what they may read.
    const hits = async (who: "anonymous" | ForumMember) => {
      const res =
        who === "anonymous"
          ? await browser(instance.url).get("/api/v1/forums/search?q=budget")
          : await who.api.get("/forums/search?q=budget");
      return (res.body.items as { topicTitle: string }[]).map((h) => h.topicTitle).sort();
    };
    assert.deepEqual(await hits("anonymous"), ["Bienvenue"]);
    assert.deepEqual(await hits(outsider), ["Bienvenue", "Fête du quartier"]);
    assert.deepEqual(await hits(insider), ["Bienvenue", "Budget confidentiel", "Fête du quartier"]);
    const page = await outsider.agent.get("/forums/search?q=budget");
    assert.doesNotMatch(page.text, /confidentiel/);
    assert.match(page.text, /Fête du quartier/);
  });

  it("lets a member ask to join a private group on approval, seeing nothing before", async () => {
    const group = await newGroup(instance, staff, {
      name: "Chorale",
      slug: slug("chorale"),
      visibility: "private",
      joinPolicy: "approval",
    });
    await staff.api.post(`/groups/${group.id}/topics`, {
      title: "Répétition",
      content: "Mardi soir",
    });
    const page = await outsider.agent.get(`/groups/${group.slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Demander à rejoindre/);
    assert.doesNotMatch(page.text, /Répétition/);
    const asked = await submit(
      outsider.agent,
      `/groups/${group.slug}`,
      `/groups/${group.slug}/join`,
      {},
    );
    assert.equal(asked.status, 303);
    assert.ok(
      (await notificationsOf(instance, staff.user.id)).some((n) => n.kind === "forums:joinRequest"),
    );
    assert.equal((await outsider.api.get(`/groups/${group.id}/topics`)).status, 404);
    const accepted = await submit(
      staff.agent,
      `/groups/${group.slug}/members`,
      `/groups/${group.slug}/requests/${outsider.user.id}`,
      { decision: "accept" },
    );
    assert.equal(accepted.status, 303);
    const topics = await outsider.api.get(`/groups/${group.id}/topics`);
    assert.equal(topics.body.items[0].title, "Répétition");
    await outsider.api.delete(`/groups/${group.id}/membership`);
  });

  it("finds posts in French across groups, ignoring accents and plurals", async () => {
    const cycling = await newGroup(instance, staff, { name: "Cyclotourisme", slug: slug("cyclo") });
    const family = await newGroup(instance, staff, { name: "Familles", slug: slug("familles") });
    await staff.api.post(`/groups/${cycling.id}/topics`, {
      title: "Réparer son Vélo",
      content: "Chambre à air et rustines.",
    });
    await staff.api.post(`/groups/${family.id}/topics`, {
      title: "Sortie du samedi",
      content: "Les enfants viennent avec leur vélo électrique.",
    });
    await staff.api.post(`/groups/${family.id}/topics`, {
      title: "Piscine",
      content: "Bonnets obligatoires.",
    });

    const res = await outsider.api.get(`/forums/search?q=${encodeURIComponent("velos")}`);
    assert.equal(res.status, 200);
    const titles = (res.body.items as { topicTitle: string; group: string }[]).map(
      (h) => h.topicTitle,
    );
    assert.deepEqual(titles.sort(), ["Réparer son Vélo", "Sortie du samedi"]);
    const groupsFound = new Set((res.body.items as { group: string }[]).map((h) => h.group));
    assert.deepEqual(groupsFound, new Set([cycling.slug, family.slug]));

    const page = await browser(instance.url).get("/forums/search?q=velos");
    assert.equal(page.status, 200);
    assert.match(page.text, /2 messages trouvés/);
    assert.match(page.text, /<mark>vélo<\/mark>/);
    const none = await browser(instance.url).get("/forums/search?q=trottinette");
    assert.match(none.text, /Aucun message ne correspond/);
    // Search input is text, never markup.
    const injected = await browser(instance.url).get(
      `/forums/search?q=${encodeURIComponent("<script>vélo")}`,
    );
    assert.doesNotMatch(injected.text, /<script>vélo/);
  });

  it("opens a private group for an offer's participants and staff, kept in sync", async () => {
    const offerId = "6f1f3d52-3a5e-4c8e-9a57-0c4d2b1e9f00";
    const [first, second] = [await forumMember(instance), await forumMember(instance)];
    const opened = await instance.ctx.transaction((tx) =>
      openOfferGroup(tx, {
        offerId,
        title: "Séjour ski à Chamonix",
        staffUserIds: [staff.user.id],
      }),
    );
    assert.ok(opened.ok);
    const group = opened.value;
    assert.equal(group.visibility, "private");
    assert.equal(group.offerId, offerId);
    // Opening twice returns the same group.
    const again = await instance.ctx.transaction((tx) =>
      openOfferGroup(tx, { offerId, title: "Autre titre", staffUserIds: [staff.user.id] }),
    );
    assert.equal(again.ok && again.value.id, group.id);

    await instance.ctx.transaction((tx) =>
      syncOfferGroupMembers(tx, { offerId, participantUserIds: [first.user.id, second.user.id] }),
    );
    assert.equal((await first.api.get(`/groups/${group.id}`)).status, 200);
    const topic = await staff.api.post(`/groups/${group.id}/topics`, {
      title: "Départ du car",
      content: "7 h place de la mairie",
    });
    assert.equal(topic.status, 201);
    assert.equal(
      (await second.api.post(`/topics/${topic.body.id}/replies`, { content: "Merci !" })).status,
      201,
    );
    assert.equal((await outsider.api.get(`/groups/${group.id}`)).status, 404);

    // A cancelled registration removes its member; staff stay moderators.
    await instance.ctx.transaction((tx) =>
      removeOfferParticipant(tx, { offerId, userId: second.user.id }),
    );
    assert.equal((await second.api.get(`/groups/${group.id}`)).status, 404);
    const sync = await instance.ctx.transaction((tx) =>
      syncOfferGroupMembers(tx, { offerId, participantUserIds: [outsider.user.id] }),
    );
    assert.deepEqual(sync.ok && sync.value, { added: 1, removed: 1 });
    assert.equal((await first.api.get(`/groups/${group.id}`)).status, 404);
    assert.equal((await outsider.api.get(`/groups/${group.id}`)).status, 200);
    assert.equal((await staff.api.get(`/groups/${group.id}/reports`)).status, 200);
    assert.equal(
      await instance.ctx.transaction((tx) =>
        addOfferParticipant(tx, {
          offerId: "6f1f3d52-3a5e-4c8e-9a57-0c4d2b1e9f01",
          userId: first.user.id,
        }),
      ),
      false,
    );
  });

  it("describes each group with its actor URL and handle, and creates groups for staff only", async () => {
    const member = await outsider.api.post("/groups", { name: "Mon groupe", visibility: "public" });
    assert.equal(member.status, 403);
    const created = await staff.api.post("/groups", {
      name: "Randonnée & Vélo",
      visibility: "public",
    });
    assert.equal(created.status, 201);
    const host = new URL(instance.env.PUBLIC_URL!).host;
    assert.equal(created.body.slug, "randonnee_velo");
    assert.equal(created.body.actor, `${instance.env.PUBLIC_URL}/users/randonnee_velo`);
    assert.equal(created.body.handle, `@randonnee_velo@${host}`);
    const taken = await staff.api.post("/groups", {
      name: "Autre",
      slug: "randonnee_velo",
      visibility: "public",
    });
    assert.equal(taken.status, 409);
    const reserved = await staff.api.post("/groups", {
      name: "Admin",
      slug: staff.username,
      visibility: "public",
    });
    assert.equal(reserved.status, 409);
    const listed = await browser(instance.url).get("/api/v1/groups");
    assert.ok(
      listed.body.items.some((g: { handle: string }) => g.handle === `@randonnee_velo@${host}`),
    );
    const openapi = await browser(instance.url).get("/api/v1/openapi.json");
    for (const path of [
      "/groups",
      "/groups/{id}/topics",
      "/topics/{id}",
      "/topics/{id}/replies",
      "/reports",
    ]) {
      assert.ok(openapi.body.paths[path], path);
    }
    // The page form does the same, and the navigation leads to the forums.
    const home = await staff.agent.get("/");
    assert.match(home.text, /<a href="\/groups">Forums<\/a>/);
    const form = await submit(staff.agent, "/groups/new", "/groups/new", {
      name: "Atelier couture",
      visibility: "local",
      postPolicy: "members",
      joinPolicy: "open",
    });
    assert.equal(form.status, 303);
    assert.equal(form.headers.location, "/groups/atelier_couture");
    assert.equal((await outsider.agent.get("/groups/new")).status, 403);
  });
});
