// Avatars and group pictures (ADR 0102) for the axe scan, at phone width too: the profile with a
// picture and a bio, the member's public page, a topic with the author's picture, the group cards and a group's page.
import sharp from "sharp";
import { createGroup, forumDeps } from "../../server/forums/groups.service.ts";
import { createTopic } from "../../server/forums/topics.service.ts";
import { groupAccess } from "../../server/forums/access.ts";
import { findGroup } from "../../server/forums/groups.repo.ts";
import { prepareAvatar, saveAvatar, saveBio } from "../../server/members/avatar.ts";
import type { PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { ctx } = instance;
  const photo = await sharp({
    create: { width: 600, height: 400, channels: 3, background: { r: 180, g: 70, b: 40 } },
  })
    .jpeg()
    .toBuffer();
  const variants = await prepareAvatar(photo);
  if (!variants.ok) throw new Error(variants.error);
  const member = users.member.user;
  await saveAvatar(ctx.db, member.id, variants.value);
  // The topic's author (staff) has a picture too, shown beside the post.
  await saveAvatar(ctx.db, users.staff.user.id, variants.value);
  await saveBio(ctx.db, member.id, "Retraité, j'aime la randonnée et les chorales.");
  // Their profile is visible to other CMCAS: the public page shows picture and bio.
  await ctx.db
    .updateTable("users")
    .set({ discoverable: true })
    .where("id", "=", member.id)
    .execute();
  await ctx.db
    .updateTable("users")
    .set({ created_at: new Date(Date.now() - 30 * 86_400_000) })
    .where("id", "=", member.id)
    .execute();
  const created = await ctx.transaction((tx) =>
    createGroup(tx, forumDeps(ctx), users.staff.user, {
      name: "Randonneurs en images",
      visibility: "public",
    }),
  );
  if (!created.ok) throw new Error(created.error);
  const group = created.value;
  await ctx.db
    .insertInto("group_pictures")
    .values(variants.value.map((v) => ({ group_id: group.id, content_type: "image/webp", ...v })))
    .execute();
  // Read before the transaction: on PGlite the transaction holds the only connection.
  const access = await groupAccess(
    ctx.db,
    (await findGroup(ctx.db, { id: group.id }))!,
    users.staff.user,
  );
  const topic = await ctx.transaction((tx) =>
    createTopic(tx, forumDeps(ctx), {
      group,
      access,
      user: users.staff.user,
      title: "Sortie en images",
      source: "Voici le programme.",
    }),
  );
  if (!topic.ok) throw new Error(topic.error);
  return [
    { path: "/me", as: "member", phone: true },
    { path: `/members/${users.member.user.username}`, as: "anonymous", phone: true },
    { path: "/groups", as: "anonymous", phone: true },
    { path: `/groups/${group.slug}`, as: "anonymous", phone: true },
    { path: `/groups/${group.slug}/edit`, as: "staff", phone: true },
    { path: `/topics/${topic.value.topicId}`, as: "member", phone: true },
  ];
};
