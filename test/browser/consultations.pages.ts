// Every page of the consultations, with the data it needs, for the axe accessibility scan.
import type { Page } from "playwright-core";
import type { PageEntry, PageSource } from "./harness.ts";
import { findConsultation } from "../../server/consultations/consultations.repo.ts";
import * as service from "../../server/consultations/consultations.service.ts";
import { closeConsultation } from "../../server/consultations/closing.ts";
import { listRemote, saveRemoteConsultation } from "../../server/consultations/remote.service.ts";

const HOUR = 3_600_000;

export const pages: PageSource = async ({ instance, users }) => {
  const ctx = instance.ctx;
  const make = async (title: string, quorum: number | null) => {
    const created = await service.createConsultation(ctx.db, users.staff.user, {
      title,
      intro: "Nous préparons les séjours de l'été : donnez votre avis.",
      rules: "Réservé aux bénéficiaires de la CMCAS.",
      documents: [{ title: "Bilan de l'été dernier", url: "https://exemple.fr/bilan.pdf" }],
      audience: "instance",
      offerId: null,
      opensAt: new Date(Date.now() - HOUR),
      closesAt: new Date(Date.now() + 48 * HOUR),
      quorum,
    });
    if (!created.ok) throw new Error(created.error);
    let c = (await findConsultation(ctx.db, created.value))!;
    for (const q of [
      {
        kind: "single",
        prompt: "Quel séjour préférez-vous ?",
        options: ["Mer", "Montagne"],
        maxChoices: null,
      },
      {
        kind: "multiple",
        prompt: "Quelles activités ?",
        options: ["Voile", "Théâtre", "Cuisine"],
        maxChoices: 2,
      },
      {
        kind: "ranking",
        prompt: "Classez les destinations",
        options: ["Bretagne", "Alpes", "Provence"],
        maxChoices: null,
      },
      { kind: "scale", prompt: "Êtes-vous satisfait ?", options: [], maxChoices: null },
      { kind: "text", prompt: "Une idée ?", options: [], maxChoices: null },
    ] as const) {
      await service.addQuestion(ctx.db, c, { ...q, options: [...q.options] });
      c = (await findConsultation(ctx.db, c.id))!;
    }
    await service.open(ctx.db, c);
    return (await findConsultation(ctx.db, c.id))!;
  };
  const open = await make("Les séjours de l'été prochain", null);
  const closed = await make("Les horaires de la permanence", 50);
  const [q1, q2, q3, q4, q5] = closed.questions.map((q) => q.id) as [
    string,
    string,
    string,
    string,
    string,
  ];
  await ctx.transaction((tx) =>
    service.answer(tx, closed, users.member.user, {
      [q1]: 1,
      [q2]: [0, 2],
      [q3]: [1, 0, 2],
      [q4]: 4,
      [q5]: "Le samedi matin",
    }),
  );
  await ctx.transaction((tx) =>
    service.enterPaper(
      tx,
      closed,
      users.staff.user,
      { [q1]: 0, [q2]: [1], [q3]: [0, 1, 2], [q4]: 2 },
      3,
      "Permanence du mardi",
    ),
  );
  await ctx.transaction(async (tx) =>
    closeConsultation(
      tx,
      ctx.config.publicUrl,
      (await findConsultation(tx.db, closed.id))!,
      undefined,
    ),
  );
  await ctx.transaction(async (tx) =>
    service.publishResponse(
      tx,
      ctx.config.publicUrl,
      (await findConsultation(tx.db, closed.id))!,
      "La permanence ouvrira aussi le samedi matin.",
    ),
  );
  const draft = await service.createConsultation(ctx.db, users.staff.user, {
    title: "Brouillon de consultation",
    intro: "",
    rules: "",
    documents: [],
    audience: "instance",
    offerId: null,
    opensAt: new Date(Date.now() + HOUR),
    closesAt: new Date(Date.now() + 48 * HOUR),
    quorum: null,
  });
  const draftId = draft.ok ? draft.value : "";
  const sendEmpty = async (page: Page) => {
    await Promise.all([
      page.waitForLoadState("load"),
      page.click("main form.consult-ballot button[type=submit]"),
    ]);
  };
  // Consultations of the network, as received from a hub: one open, one closed with results.
  const question = {
    id: "q1",
    position: 1,
    kind: "single" as const,
    prompt: "Quel séjour national ?",
    options: ["Mer", "Montagne"],
    maxChoices: null,
  };
  for (const closedOne of [false, true])
    await ctx.transaction((tx) =>
      saveRemoteConsultation(tx, ctx.config.publicUrl, {
        uri: `https://hub.exemple.fr/consultations/${closedOne ? "fermee" : "ouverte"}`,
        url: "https://hub.exemple.fr/consultations/1",
        organiserUri: "https://hub.exemple.fr/users/cmcas",
        territory: "CCAS",
        title: closedOne ? "Séjours nationaux 2026" : "Séjours nationaux 2027",
        intro: "La CCAS prépare les séjours nationaux.",
        questions: [question],
        endsAt: new Date(Date.now() + (closedOne ? -1 : 48) * HOUR),
        closed: closedOne,
        results: closedOne
          ? {
              ballots: 3,
              byInstance: [{ host: "cmcas-a.exemple.fr", ballots: 3 }],
              questions: [
                {
                  prompt: question.prompt,
                  options: [
                    { label: "Mer", count: 2 },
                    { label: "Montagne", count: 1 },
                  ],
                },
              ],
            }
          : null,
      }),
    );
  const [openRemote, closedRemote] = (await listRemote(ctx.db)).sort((a, b) =>
    a.closed === b.closed ? 0 : a.closed ? 1 : -1,
  );
  const entries: PageEntry[] = [
    { path: `/consultations/reseau/${openRemote!.id}`, as: "member" },
    { path: `/consultations/reseau/${closedRemote!.id}`, as: "anonymous" },
    { path: "/participer", as: "anonymous" },
    { path: "/participer", as: "staff" },
    { path: `/consultations/${open.id}`, as: "member" },
    { path: `/consultations/${open.id}`, as: "staff" },
    { path: `/consultations/${open.id}/answer`, as: "member" },
    { path: `/consultations/${open.id}/answer`, as: "member", prepare: sendEmpty, status: 200 },
    { path: `/consultations/${closed.id}`, as: "anonymous" },
    { path: `/consultations/${closed.id}`, as: "staff" },
    { path: `/consultations/${closed.id}/results/print`, as: "anonymous" },
    { path: `/consultations/${open.id}/ballot`, as: "anonymous" },
    { path: "/consultations/new", as: "staff" },
    { path: `/consultations/${draftId}/edit`, as: "staff" },
    { path: `/consultations/${open.id}/edit`, as: "staff" },
    { path: `/consultations/${open.id}/paper`, as: "staff" },
  ];
  // Scanned at phone width too (axe and no sideways scroll).
  return entries.map((e) => ({ ...e, phone: true }));
};
