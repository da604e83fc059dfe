// Every page of the tutorials, with the data it needs, for the axe accessibility scan.
import sharp from "sharp";
import type { Page } from "playwright-core";
import type { PageEntry, PageSource } from "./harness.ts";
import { addTutorialImage } from "../../server/tutorials/images.service.ts";
import * as tutorials from "../../server/tutorials/tutorials.service.ts";
import { postMade, setFavourite } from "../../server/tutorials/around.service.ts";
import { comment } from "../../server/tutorials/comments.service.ts";
import { findTutorial } from "../../server/tutorials/tutorials.repo.ts";
import { forumDeps } from "../../server/forums/groups.service.ts";
import { createContest, enter } from "../../server/tutorials/contests.service.ts";
import { addPhoto } from "../../server/tutorials/albums.service.ts";
import { register } from "../../server/offers/registrations.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { DAY, makeOffer } from "../offers/support.ts";

const image = () =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 90, g: 140, b: 60 } } })
    .jpeg()
    .toBuffer();

/** Submits the form that holds `selector` as it is, to show its errors. */
async function submitForm(page: Page, selector: string) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

export const pages: PageSource = async ({ instance, users }) => {
  const ctx = instance.ctx;
  const category = await ctx.db
    .selectFrom("tutorial_categories")
    .select("id")
    .where("slug", "=", "jardinage-nature")
    .executeTakeFirstOrThrow();
  const created = await ctx.transaction((tx) =>
    tutorials.createTutorial(tx, users.member.user, {
      title: "Semer des radis sur un balcon",
      summary: "Des radis en trois semaines, dans une jardinière.",
      categoryId: category.id,
      tags: ["potager", "balcon"],
      difficulty: "facile",
      durationMinutes: 45,
      costCents: 800,
      materials: "Une jardinière\nDu terreau\nDes graines de radis",
      tools: "Un arrosoir",
      licence: "cc-by-sa-4.0",
      visibility: "public",
    }),
  );
  if (!created.ok) throw new Error(created.error);
  const id = created.value;
  const host = ctx.config.publicUrl.host;
  const stepIds: string[] = [];
  for (const [title, source] of [
    ["Remplir la jardinière", "Tassez légèrement le **terreau**."],
    ["Semer", "Un sillon d'un centimètre, une graine tous les trois centimètres."],
    ["Arroser", "En pluie fine, tous les deux jours."],
  ] as const) {
    const step = await ctx.transaction((tx) =>
      tutorials.addStep(tx, host, id, { title, source, videoUrl: null }),
    );
    if (step.ok) stepIds.push(step.value);
  }
  await addTutorialImage(ctx.db, {
    tutorialId: id,
    stepId: null,
    data: await image(),
    alt: "Une jardinière de radis sur un balcon",
  });
  await addTutorialImage(ctx.db, {
    tutorialId: id,
    stepId: stepIds[1]!,
    data: await image(),
    alt: "Des graines posées dans un sillon",
  });
  await ctx.transaction((tx) => tutorials.publish(tx, id));
  // Readers around it: a comment, a "Je l'ai fait !" post, a favourite.
  const published = (await findTutorial(ctx.db, id))!;
  await ctx.transaction((tx) =>
    comment(tx, forumDeps(ctx), {
      tutorial: published,
      user: users.staff.user,
      source: "Bravo, **très clair** !",
    }),
  );
  await postMade(
    ctx.db,
    ctx.config.publicUrl,
    {
      tutorial: published,
      user: users.moderator.user,
      body: "Mes premiers radis !",
      image: await image(),
      alt: "Une botte de radis sur une table",
    },
    (work) => ctx.transaction(work),
  );
  await setFavourite(ctx.db, id, users.member.user.id, true);
  const draft = await ctx.transaction((tx) =>
    tutorials.createTutorial(tx, users.member.user, {
      title: "Brouillon de tricot",
      summary: "",
      categoryId: category.id,
      tags: [],
      difficulty: "moyen",
      durationMinutes: null,
      costCents: null,
      materials: "",
      tools: "",
      licence: "cc-by-4.0",
      visibility: "network",
    }),
  );
  if (!draft.ok) throw new Error(draft.error);

  // A contest in its entry phase (with an entry), and one closed with its results.
  const hour = 3_600_000;
  const contestIds: string[] = [];
  for (const title of ["Concours du potager", "Concours d'hiver"]) {
    const made = await createContest(ctx.db, users.staff.user, {
      title,
      theme: "Cultiver en ville",
      rules: "Un tutoriel par membre.",
      prizes: "Des graines",
      submissionsEndAt: new Date(Date.now() + 24 * hour),
      votesEndAt: new Date(Date.now() + 48 * hour),
    });
    if (!made.ok) throw new Error(made.error);
    contestIds.push(made.value);
  }
  const open = {
    id: contestIds[0]!,
    title: "",
    theme: "",
    rules: "",
    prizes: "",
    submissionsEndAt: new Date(Date.now() + 24 * hour),
    votesEndAt: new Date(Date.now() + 48 * hour),
  };
  await enter(ctx.db, open, users.member.user, id);
  await ctx.db
    .updateTable("tutorial_contests")
    .set({
      submissions_end_at: new Date(Date.now() - 48 * hour),
      votes_end_at: new Date(Date.now() - hour),
    })
    .where("id", "=", contestIds[1]!)
    .execute();

  // An activity that has ended, with its album (one photo shown to all, one to participants).
  const outing = await makeOffer(instance, users.staff.user.id, { title: "Sortie jardin partagé" });
  await ctx.transaction((tx) =>
    register(tx, bookingDeps(ctx), {
      offerId: outing.id,
      participant: { kind: "local", userId: users.member.user.id },
      persons: { count: 1 },
    }),
  );
  await ctx.db
    .updateTable("offers")
    .set({ starts_at: new Date(Date.now() - 2 * DAY), ends_at: new Date(Date.now() - DAY) })
    .where("id", "=", outing.id)
    .execute();
  const ended = { id: outing.id, endsAt: new Date(Date.now() - DAY), status: "published" };
  for (const shown of [true, false])
    await addPhoto(ctx.db, {
      offer: ended,
      user: users.member.user,
      data: await image(),
      alt: shown ? "Les bacs du jardin partagé" : "Le groupe devant la serre",
      caption: "Sortie de printemps",
      public: shown,
    });
  await ctx.db.updateTable("tutorials").set({ offer_id: outing.id }).where("id", "=", id).execute();

  const entries: PageEntry[] = [
    { path: `/offers/${outing.id}`, as: "anonymous" },
    { path: `/offers/${outing.id}`, as: "member" },
    { path: `/offers/${outing.id}`, as: "staff" },
    { path: "/tutorials/contests", as: "staff" },
    { path: `/tutorials/contests/${contestIds[0]}`, as: "member" },
    { path: `/tutorials/contests/${contestIds[1]}`, as: "anonymous" },
    { path: "/tutorials/contests/new", as: "staff" },
    {
      path: "/tutorials/contests/new",
      as: "staff",
      prepare: (page) => submitForm(page, "main form button[type=submit]"),
    },
    { path: "/tutorials", as: "anonymous" },
    { path: "/tutorials", as: "member" },
    { path: "/tutorials?q=radis&difficulty=facile", as: "anonymous" },
    { path: "/tutorials?territory=ici&duration=60&cost=20", as: "member" },
    { path: "/tutorials?category=jardinage-nature", as: "member" },
    { path: `/tutorials/${id}`, as: "anonymous" },
    { path: `/tutorials/${id}`, as: "member" },
    { path: `/tutorials/${id}`, as: "staff" },
    { path: `/tutorials/${id}/print`, as: "anonymous" },
    { path: `/tutorials/authors/${users.member.username}`, as: "anonymous" },
    { path: `/tutorials/authors/${users.member.username}`, as: "member" },
    { path: "/tutorials/new", as: "member" },
    {
      path: "/tutorials/new",
      as: "member",
      prepare: (page) => submitForm(page, "main form button[type=submit]"),
    },
    { path: `/tutorials/${id}/edit`, as: "member" },
    { path: `/tutorials/${draft.value}/edit`, as: "member" },
    { path: `/tutorials/${id}/steps/${stepIds[1]}/edit`, as: "member" },
    {
      path: `/tutorials/${id}/steps/${stepIds[0]}/edit`,
      as: "member",
      prepare: async (page) => {
        await page.fill("#field-title", "");
        await submitForm(page, "main form button[type=submit]");
      },
    },
    { path: "/tutorials/favourites", as: "member" },
    { path: "/admin/tutorials", as: "admin" },
  ];
  // Scanned at phone width too (axe and no sideways scroll).
  return entries.map((e) => ({ ...e, phone: true }));
};
