// Tutorials of the demonstration CMCAS (bin/seed-demo.ts): a few members' tutorials with steps
// and pictures, readers who made them, voted them useful and commented, and a contest.
import sharp from "sharp";
import type { AppContext } from "../../server/context.ts";
import { findUserByUsername } from "../../server/accounts/accounts.repo.ts";
import { forumDeps } from "../../server/forums/groups.service.ts";
import { postMade, setUseful } from "../../server/tutorials/around.service.ts";
import { comment } from "../../server/tutorials/comments.service.ts";
import { createContest, enter } from "../../server/tutorials/contests.service.ts";
import { addTutorialImage } from "../../server/tutorials/images.service.ts";
import { findTutorial } from "../../server/tutorials/tutorials.repo.ts";
import * as tutorials from "../../server/tutorials/tutorials.service.ts";

interface DemoTutorial {
  author: string;
  category: string;
  title: string;
  summary: string;
  tags: string[];
  difficulty: "facile" | "moyen" | "difficile";
  minutes: number;
  cents: number;
  materials: string;
  colour: { r: number; g: number; b: number };
  steps: [string, string][];
}

const TUTORIALS: DemoTutorial[] = [
  {
    author: "membre1",
    category: "bricolage",
    title: "Une table basse en palettes",
    summary: "Deux palettes, des roulettes et un après-midi pour une table basse solide.",
    tags: ["palette", "récupération", "bois"],
    difficulty: "moyen",
    minutes: 240,
    cents: 3500,
    materials: "2 palettes traitées HT (pas MB)\n4 roulettes à platine\n16 vis de 4 × 30 mm",
    colour: { r: 170, g: 120, b: 70 },
    steps: [
      ["Choisir les palettes", "Cherchez le tampon **HT** (traitement thermique) : évitez **MB**."],
      ["Poncer", "Grain 60 puis 120, dans le sens du bois, avec un masque."],
      ["Assembler", "Superposez les deux palettes et vissez-les par les traverses."],
      ["Poser les roulettes", "Une à chaque coin, vissées dans les dés de la palette."],
      ["Protéger", "Deux couches d'huile de lin, 24 heures de séchage entre les deux."],
    ],
  },
  {
    author: "membre2",
    category: "cuisine",
    title: "Le pain au levain maison",
    summary: "Un levain à démarrer une fois, puis un pain chaque semaine.",
    tags: ["pain", "levain"],
    difficulty: "difficile",
    minutes: 1440,
    cents: 300,
    materials: "500 g de farine T65\n350 g d'eau\n100 g de levain\n10 g de sel",
    colour: { r: 220, g: 190, b: 140 },
    steps: [
      ["Rafraîchir le levain", "La veille au soir : poids égal de farine et d'eau."],
      ["Pétrir", "Mélangez tout, puis rabattez la pâte toutes les 30 minutes pendant 2 heures."],
      ["Façonner", "En boule, soudure dessus, dans un panier fariné, une nuit au frais."],
      ["Cuire", "Cocotte fermée à 250 °C pendant 25 minutes, puis 20 minutes ouverte."],
    ],
  },
  {
    author: "membre3",
    category: "jardinage-nature",
    title: "Un composteur de balcon",
    summary: "Un bac à lombrics pour les épluchures, sans odeur, en appartement.",
    tags: ["compost", "balcon", "lombric"],
    difficulty: "facile",
    minutes: 90,
    cents: 2000,
    materials: "3 bacs de rangement empilables\nDu carton brun\nDes vers Eisenia",
    colour: { r: 90, g: 140, b: 60 },
    steps: [
      ["Percer les bacs", "Des trous de 6 mm au fond des deux bacs du haut."],
      ["Préparer la litière", "Carton déchiré et humidifié, comme une éponge essorée."],
      ["Installer les vers", "Posez-les sur la litière, couvrez, attendez une semaine."],
    ],
  },
  {
    author: "membre4",
    category: "couture-textile",
    title: "Un sac en tissu avec une vieille chemise",
    summary: "Une chemise trop petite devient un sac à pain ou à courses.",
    tags: ["couture", "zéro-déchet"],
    difficulty: "facile",
    minutes: 60,
    cents: 0,
    materials: "Une chemise\nDu fil assorti",
    colour: { r: 80, g: 110, b: 170 },
    steps: [
      ["Couper", "Coupez sous les manches, tout droit."],
      ["Coudre le fond", "Endroit contre endroit, à 1 cm du bord."],
      ["Faire les anses", "Dans les manches : deux bandes de 50 cm pliées en quatre."],
    ],
  },
  {
    author: "membre5",
    category: "numerique",
    title: "Sauvegarder les photos de son téléphone",
    summary: "Une copie sur l'ordinateur et une sur un disque, sans abonnement.",
    tags: ["sauvegarde", "photos"],
    difficulty: "facile",
    minutes: 30,
    cents: 6000,
    materials: "Un câble USB\nUn disque externe",
    colour: { r: 60, g: 60, b: 90 },
    steps: [
      ["Brancher le téléphone", "Autorisez le transfert de fichiers sur le téléphone."],
      ["Copier le dossier DCIM", "Vers un dossier daté sur l'ordinateur."],
      ["Copier sur le disque", "Puis débranchez le disque et rangez-le ailleurs."],
    ],
  },
];

const picture = (colour: DemoTutorial["colour"], shade: number) =>
  sharp({
    create: {
      width: 1200,
      height: 800,
      channels: 3,
      background: {
        r: Math.min(255, colour.r + shade),
        g: Math.min(255, colour.g + shade),
        b: Math.min(255, colour.b + shade),
      },
    },
  })
    .jpeg()
    .toBuffer();

export async function seedTutorials(ctx: AppContext): Promise<number> {
  const already = await ctx.db
    .selectFrom("tutorials")
    .select("id")
    .where("title", "=", TUTORIALS[0]!.title)
    .executeTakeFirst();
  if (already) return 0;
  const host = ctx.config.publicUrl.host;
  const readers = (
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => findUserByUsername(ctx.db, `membre${i + 6}`)),
    )
  ).filter((u) => u !== undefined);
  const ids: string[] = [];
  for (const [n, demo] of TUTORIALS.entries()) {
    const author = await findUserByUsername(ctx.db, demo.author);
    const category = await ctx.db
      .selectFrom("tutorial_categories")
      .select("id")
      .where("slug", "=", demo.category)
      .executeTakeFirst();
    if (!author || !category) continue;
    const created = await ctx.transaction((tx) =>
      tutorials.createTutorial(tx, author, {
        title: demo.title,
        summary: demo.summary,
        categoryId: category.id,
        tags: demo.tags,
        difficulty: demo.difficulty,
        durationMinutes: demo.minutes,
        costCents: demo.cents,
        materials: demo.materials,
        tools: "",
        licence: "cc-by-sa-4.0",
        visibility: "public",
      }),
    );
    if (!created.ok) continue;
    const id = created.value;
    ids.push(id);
    await addTutorialImage(ctx.db, {
      tutorialId: id,
      stepId: null,
      data: await picture(demo.colour, 0),
      alt: `Le résultat : ${demo.title.toLowerCase()}`,
    });
    for (const [i, [title, source]] of demo.steps.entries()) {
      const step = await ctx.transaction((tx) =>
        tutorials.addStep(tx, host, id, { title, source, videoUrl: null }),
      );
      if (step.ok && i % 2 === 0)
        await addTutorialImage(ctx.db, {
          tutorialId: id,
          stepId: step.value,
          data: await picture(demo.colour, 20 + i * 10),
          alt: `Étape ${i + 1} : ${title.toLowerCase()}`,
        });
    }
    await ctx.transaction((tx) => tutorials.publish(tx, id));
    const tutorial = (await findTutorial(ctx.db, id))!;
    // Readers: some made it, more found it useful, one asked a question.
    for (const [r, reader] of readers.entries()) {
      if ((r + n) % 3 === 0)
        await ctx.transaction((tx) => setUseful(tx, tutorial, reader.id, true));
      if ((r + n) % 5 === 0)
        await postMade(
          ctx.db,
          ctx.config.publicUrl,
          {
            tutorial,
            user: reader,
            body: "Fait ce week-end, merci pour les explications !",
            image: await picture(demo.colour, 40),
            alt: `La réalisation de ${reader.displayName}`,
          },
          (work) => ctx.transaction(work),
        );
    }
    const asker = readers[n];
    if (asker)
      await ctx.transaction((tx) =>
        comment(tx, forumDeps(ctx), {
          tutorial,
          user: asker,
          source: "Combien de temps faut-il compter en tout ?",
        }),
      );
  }
  // A contest whose entries are open, with the first tutorials entered.
  const staff = await findUserByUsername(ctx.db, "equipe");
  if (staff) {
    const day = 86_400_000;
    const contest = await createContest(ctx.db, staff, {
      title: "Concours « Seconde vie des objets »",
      theme: "Réparer, détourner, recycler.",
      rules: "Un tutoriel par membre, publié et illustré.",
      prizes: "Un week-end pour deux dans un centre de vacances.",
      submissionsEndAt: new Date(Date.now() + 14 * day),
      votesEndAt: new Date(Date.now() + 28 * day),
    });
    if (contest.ok) {
      const found = await ctx.db
        .selectFrom("tutorial_contests")
        .selectAll()
        .where("id", "=", contest.value)
        .executeTakeFirstOrThrow();
      for (const [i, id] of ids.slice(0, 2).entries()) {
        const author = await findUserByUsername(ctx.db, TUTORIALS[i]!.author);
        if (author)
          await enter(
            ctx.db,
            {
              id: found.id,
              title: found.title,
              theme: found.theme,
              rules: found.rules,
              prizes: found.prizes,
              submissionsEndAt: found.submissions_end_at,
              votesEndAt: found.votes_end_at,
            },
            author,
            id,
          );
      }
    }
  }
  return ids.length;
}
