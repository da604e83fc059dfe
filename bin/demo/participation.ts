// Participation in the demonstration CMCAS (bin/seed-demo.ts): an open consultation members can
// answer, a closed one with its results and the organiser's response, an idea box with supports
// and an official answer, and a participatory budget in its vote phase. Everything goes through
// the modules' services, so the demonstration follows the same rules as real members.
import type { User } from "../../server/accounts/accounts.repo.ts";
import { findUserByUsername } from "../../server/accounts/accounts.repo.ts";
import * as budgets from "../../server/budgets/budgets.service.ts";
import { findConsultation } from "../../server/consultations/consultations.repo.ts";
import * as consultations from "../../server/consultations/consultations.service.ts";
import { closeConsultation } from "../../server/consultations/closing.ts";
import type { AppContext } from "../../server/context.ts";
import * as ideas from "../../server/ideas/ideas.service.ts";

const DAY = 24 * 3600 * 1000;

export interface ParticipationSummary {
  consultations: number;
  ideas: number;
  budgets: number;
}

async function members(ctx: AppContext, count: number): Promise<User[]> {
  const found = await Promise.all(
    Array.from({ length: count }, (_, i) => findUserByUsername(ctx.db, `membre${i + 1}`)),
  );
  return found.filter((u) => u !== undefined);
}

async function seedConsultations(ctx: AppContext, staff: User, voters: User[]): Promise<number> {
  const now = Date.now();
  const created = await consultations.createConsultation(ctx.db, staff, {
    title: "Les séjours d'été 2027 : vos envies",
    intro:
      "La commission des activités prépare les séjours de l'été prochain. Dites-nous ce qui " +
      "compte pour vous : la réponse prend deux minutes.",
    rules: "Une réponse par membre, anonyme. Résultats publiés à la clôture.",
    documents: [],
    audience: "instance",
    offerId: null,
    opensAt: new Date(now - 2 * DAY),
    closesAt: new Date(now + 20 * DAY),
    quorum: 20,
  });
  const closed = await consultations.createConsultation(ctx.db, staff, {
    title: "Les horaires d'ouverture de l'accueil",
    intro: "Faut-il ouvrir l'accueil de la CMCAS un samedi matin par mois ?",
    rules: "Une réponse par membre, anonyme.",
    documents: [],
    audience: "instance",
    offerId: null,
    opensAt: new Date(now - 40 * DAY),
    closesAt: new Date(now + DAY),
    quorum: null,
  });
  if (!created.ok || !closed.ok) return 0;

  // Each question takes the next position after those the consultation holds: read it again.
  const summer = (await findConsultation(ctx.db, created.value))!;
  await consultations.addQuestion(ctx.db, summer, {
    kind: "single",
    prompt: "Quel type de séjour préférez-vous ?",
    options: ["Mer", "Montagne", "Campagne", "Ville"],
    maxChoices: null,
  });
  await consultations.addQuestion(ctx.db, (await findConsultation(ctx.db, summer.id))!, {
    kind: "scale",
    prompt: "Êtes-vous satisfait des séjours de cette année ? (1 à 5)",
    options: [],
    maxChoices: null,
  });
  await consultations.open(ctx.db, (await findConsultation(ctx.db, summer.id))!);

  const hours = (await findConsultation(ctx.db, closed.value))!;
  await consultations.addQuestion(ctx.db, hours, {
    kind: "single",
    prompt: "Un samedi matin par mois vous serait-il utile ?",
    options: ["Oui", "Non", "Sans avis"],
    maxChoices: null,
  });
  await consultations.open(ctx.db, (await findConsultation(ctx.db, hours.id))!);

  const summerOpen = (await findConsultation(ctx.db, summer.id))!;
  const hoursOpen = (await findConsultation(ctx.db, hours.id))!;
  const [place, satisfaction] = summerOpen.questions;
  const [saturday] = hoursOpen.questions;
  for (const [i, voter] of voters.entries()) {
    await ctx.transaction((tx) =>
      consultations.answer(tx, summerOpen, voter, {
        [place!.id]: i % 4,
        [satisfaction!.id]: 3 + (i % 3),
      }),
    );
    await ctx.transaction((tx) =>
      consultations.answer(tx, hoursOpen, voter, { [saturday!.id]: i % 3 === 2 ? 1 : 0 }),
    );
  }
  await ctx.transaction((tx) =>
    closeConsultation(tx, ctx.config.publicUrl, hoursOpen, ctx.ports.consultations),
  );
  const hoursClosed = (await findConsultation(ctx.db, hours.id))!;
  await ctx.transaction((tx) =>
    consultations.publishResponse(
      tx,
      ctx.config.publicUrl,
      hoursClosed,
      "L'accueil ouvrira le premier samedi de chaque mois, de 9 h à 12 h, à partir de janvier.",
    ),
  );
  return 2;
}

const IDEAS = [
  {
    category: "activities",
    title: "Des ateliers de réparation de vélos",
    body: "Un samedi par mois, apprendre à régler ses freins et changer une chambre à air.",
  },
  {
    category: "activities",
    title: "Une sortie astronomie en famille",
    body: "Une soirée d'observation des étoiles avec un club local, pour les enfants.",
  },
  {
    category: "functioning",
    title: "Les inscriptions par téléphone pour ceux qui n'ont pas internet",
    body: "Une permanence téléphonique pour s'inscrire aux activités sans ordinateur.",
  },
] as const;

async function seedIdeas(ctx: AppContext, staff: User, people: User[]): Promise<number> {
  let count = 0;
  for (const [n, demo] of IDEAS.entries()) {
    const author = people[n];
    if (!author) continue;
    const proposed = await ideas.propose(ctx.db, author.id, demo);
    if (!proposed.ok) continue;
    count++;
    const idea = (await ideas.findIdea(ctx.db, proposed.value.id))!;
    for (const supporter of people.slice(0, people.length - n * 3))
      if (supporter.id !== author.id)
        await ctx.transaction((tx) => ideas.support(tx, idea, supporter.id));
    if (n === 2)
      await ctx.transaction(async (tx) =>
        ideas.answer(
          tx,
          { publicUrl: ctx.config.publicUrl },
          {
            idea: (await ideas.findIdea(tx.db, idea.id))!,
            staffId: staff.id,
            status: "accepted",
            body: "Une permanence ouvrira le mardi de 14 h à 17 h au 01 23 45 67 89.",
          },
        ),
      );
  }
  return count;
}

const PROJECTS = [
  {
    title: "Un abri à vélos couvert",
    cost: 4000,
    description: "Vingt places abritées, à la CMCAS.",
  },
  {
    title: "Des jeux pour la salle des familles",
    cost: 1500,
    description: "Des jeux de société et un coin lecture pour les enfants.",
  },
  {
    title: "Un jardin partagé",
    cost: 6000,
    description: "Des bacs surélevés accessibles et un récupérateur d'eau de pluie.",
  },
  {
    title: "Une navette vers les activités",
    cost: 9000,
    description: "Un minibus loué pour les sorties du samedi.",
  },
];

async function seedBudget(ctx: AppContext, staff: User, people: User[]): Promise<number> {
  const now = Date.now();
  const created = await budgets.createBudget(ctx.db, staff.id, {
    title: "Budget participatif 2027",
    description: "10 000 € pour des projets proposés par les membres et choisis par eux.",
    envelope: 10000,
    rule: "knapsack",
    proposalsOpenAt: new Date(now - 30 * DAY),
    proposalsCloseAt: new Date(now - 10 * DAY),
    voteOpenAt: new Date(now - 2 * DAY),
    voteCloseAt: new Date(now + 25 * DAY),
  });
  if (!created.ok) return 0;
  const budget = (await budgets.findBudget(ctx.db, created.value.id))!;
  const duringProposals = new Date(now - 20 * DAY);
  const ids: string[] = [];
  for (const [n, project] of PROJECTS.entries()) {
    const author = people[n];
    if (!author) continue;
    const proposed = await budgets.proposeProject(
      ctx.db,
      budget,
      author.id,
      project,
      duringProposals,
    );
    if (!proposed.ok) continue;
    const row = (await budgets.findProject(ctx.db, budget.id, proposed.value.id))!;
    const rejected = n === 3;
    await budgets.reviewProject(
      ctx.db,
      budget,
      row,
      staff.id,
      rejected
        ? { decision: "rejected", reason: "Le coût dépasse ce qu'un seul projet peut prendre." }
        : { decision: "accepted", reason: "" },
      duringProposals,
    );
    if (!rejected) ids.push(row.id);
  }
  for (const [i, voter] of people.entries())
    await ctx.transaction((tx) =>
      budgets.vote(tx, budget, voter.id, i % 2 === 0 ? [ids[0]!, ids[1]!] : [ids[2]!]),
    );
  return 1;
}

/** Seeds participation once: a second run finds the first consultation and adds nothing. */
export async function seedParticipation(ctx: AppContext): Promise<ParticipationSummary> {
  const none = { consultations: 0, ideas: 0, budgets: 0 };
  const already = await ctx.db
    .selectFrom("consultations")
    .select("id")
    .where("title", "=", "Les séjours d'été 2027 : vos envies")
    .executeTakeFirst();
  if (already) return none;
  const staff = await findUserByUsername(ctx.db, "equipe");
  const people = await members(ctx, 12);
  if (!staff || people.length < 4) return none;
  return {
    consultations: await seedConsultations(ctx, staff, people),
    ideas: await seedIdeas(ctx, staff, people),
    budgets: await seedBudget(ctx, staff, people),
  };
}
