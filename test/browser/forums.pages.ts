// Forum pages for the axe scan: groups, topics, forms (also in their error state), moderation.
import type { Page } from "playwright-core";
import { createGroup, invite } from "../../server/forums/groups.service.ts";
import { ban, removePost, report } from "../../server/forums/moderation.service.ts";
import { groupAccess } from "../../server/forums/access.ts";
import { createTopic, findPost, findTopic, reply } from "../../server/forums/topics.service.ts";
import { findGroup } from "../../server/forums/groups.repo.ts";
import type { User } from "../../server/accounts/accounts.repo.ts";
import type { TestInstance } from "../support/instance.ts";
import type { PageSource } from "./harness.ts";
import { forumDeps } from "../../server/forums/groups.service.ts";

async function submitEmpty(page: Page) {
  await Promise.all([
    page.waitForLoadState("load"),
    page.click(
      "main form[enctype] button[type=submit], main form:last-of-type button[type=submit]",
    ),
  ]);
}

async function established(instance: TestInstance, user: User) {
  await instance.ctx.db
    .updateTable("users")
    .set({ created_at: new Date(Date.now() - 30 * 86_400_000) })
    .where("id", "=", user.id)
    .execute();
  return { ...user, createdAt: new Date(Date.now() - 30 * 86_400_000) };
}

export const pages: PageSource = async ({ instance, users }) => {
  const { ctx } = instance;
  const deps = forumDeps(ctx);
  const staff = users.staff.user;
  const member = await established(instance, users.member.user);
  const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: string }) => {
    if (!result.ok) throw new Error(result.error);
    return result.value;
  };
  const group = unwrap(
    await ctx.transaction((tx) =>
      createGroup(tx, deps, staff, {
        name: "Vélo et randonnée",
        slug: "axe_velo",
        description: "Sorties à **vélo** et à pied.",
        rules: "1. Restez courtois.\n2. Pas de publicité.",
        visibility: "public",
      }),
    ),
  );
  const other = unwrap(
    await ctx.transaction((tx) =>
      createGroup(tx, deps, staff, {
        name: "Jardins partagés",
        slug: "axe_jardins",
        visibility: "local",
      }),
    ),
  );
  const closed = unwrap(
    await ctx.transaction((tx) =>
      createGroup(tx, deps, staff, {
        name: "Bureau",
        slug: "axe_bureau",
        visibility: "private",
        joinPolicy: "approval",
      }),
    ),
  );
  // Read before each transaction: on PGlite the transaction holds the only connection.
  const access = async (user: User) =>
    groupAccess(ctx.db, (await findGroup(ctx.db, { id: group.id }))!, user);
  const staffAccess = await access(staff);
  const memberAccess = await access(member);
  const moderatorAccess = await access(users.moderator.user);
  const opened = unwrap(
    await ctx.transaction(async (tx) =>
      createTopic(tx, deps, {
        group,
        access: staffAccess,
        user: staff,
        title: "Sortie au lac d'Annecy",
        source: "Rendez-vous samedi à 9 h. Prévoyez un **casque**.",
      }),
    ),
  );
  const topic = (await findTopic(ctx.db, opened.topicId))!;
  const answer = unwrap(
    await ctx.transaction(async (tx) =>
      reply(tx, deps, {
        group,
        access: memberAccess,
        user: member,
        topic,
        source: `Je viens avec mes enfants, @${users.staff.username}.\n\n> Prévoyez un casque\n\nBien noté.`,
      }),
    ),
  );
  const spam = unwrap(
    await ctx.transaction(async (tx) =>
      reply(tx, deps, {
        group,
        access: staffAccess,
        user: staff,
        topic,
        source: "Message à retirer.",
      }),
    ),
  );
  const spamPost = (await findPost(ctx.db, spam.postId))!;
  const answerPost = (await findPost(ctx.db, answer.postId))!;
  await ctx.transaction((tx) =>
    report(tx, deps, {
      group,
      topic,
      post: answerPost,
      access: moderatorAccess,
      user: users.moderator.user,
      reason: "Vérifier ce message",
    }),
  );
  await ctx.transaction((tx) =>
    removePost(tx, deps, { group, topic, post: spamPost, moderator: staff, reason: "Hors sujet" }),
  );
  await ctx.transaction((tx) =>
    ban(tx, deps, {
      group: other,
      username: users.member.username,
      days: 7,
      moderator: staff,
      reason: "Test",
    }),
  );
  await ctx.transaction((tx) => invite(tx, deps, closed, users.moderator.username));
  const t = `/topics/${topic.id}`;

  return [
    { path: "/groups", as: "anonymous" },
    { path: `/groups/${group.slug}`, as: "anonymous" },
    { path: t, as: "anonymous" },
    { path: `/groups/${group.slug}/moderation`, as: "anonymous" },
    { path: "/forums/search", as: "anonymous" },
    { path: "/forums/search?q=velos", as: "anonymous" },
    { path: `/groups/${other.slug}`, as: "anonymous", status: 404 },
    { path: "/groups", as: "member" },
    { path: "/groups?mine=1", as: "member" },
    { path: `/groups/${group.slug}`, as: "member" },
    { path: `/groups/${other.slug}`, as: "member" },
    { path: `/groups/${closed.slug}`, as: "member" },
    { path: t, as: "member" },
    { path: `/groups/${group.slug}/topics/new`, as: "member" },
    { path: `/groups/${group.slug}/topics/new`, as: "member", prepare: submitEmpty },
    { path: `/posts/${answer.postId}/edit`, as: "member" },
    { path: `/posts/${opened.postId}/reply`, as: "member" },
    { path: `/posts/${opened.postId}/reply?quote=1`, as: "member" },
    { path: `/posts/${opened.postId}/report`, as: "member" },
    { path: `/posts/${opened.postId}/report`, as: "member", prepare: submitEmpty },
    { path: "/forums/search?q=casques", as: "member" },
    { path: "/forums/reports", as: "member", status: 403 },
    { path: "/groups", as: "moderator" },
    { path: "/forums/reports", as: "moderator" },
    { path: "/groups/new", as: "staff" },
    { path: "/groups/new", as: "staff", prepare: submitEmpty },
    { path: `/groups/${group.slug}/edit`, as: "staff" },
    { path: `/groups/${group.slug}/members`, as: "staff" },
    { path: `/groups/${other.slug}/members`, as: "staff" },
    { path: `/groups/${group.slug}/reports`, as: "staff" },
    { path: t, as: "staff" },
    { path: `${t}/moderate`, as: "staff" },
    { path: `/posts/${answer.postId}/remove`, as: "staff" },
    { path: `/posts/${answer.postId}/remove`, as: "staff", prepare: submitEmpty },
    { path: `/posts/${spam.postId}/restore`, as: "staff" },
  ];
};
