// The forms of the editor: their schemas (checked by ajv, errors beside each field) and the
// conversion from what the browser sends to what the service takes.
import { compileForm } from "../http/validate.ts";
import type { Tutorial } from "./tutorials.repo.ts";
import { parseTags, type StepInput, type TutorialInput } from "./tutorials.service.ts";
import { DIFFICULTIES, LICENCES, TUTORIAL_VISIBILITIES } from "./tutorials.tables.ts";

export interface TutorialForm {
  title: string;
  summary?: string;
  category: string;
  tags?: string;
  difficulty: TutorialInput["difficulty"];
  duration?: number;
  cost?: number;
  materials?: string;
  tools?: string;
  licence: TutorialInput["licence"];
  visibility: TutorialInput["visibility"];
}

export const tutorialFormSchema = {
  type: "object",
  required: ["title", "category", "difficulty", "licence", "visibility"],
  properties: {
    title: { type: "string", minLength: 3, maxLength: 150 },
    summary: { type: "string", maxLength: 500 },
    category: { type: "string", minLength: 1, maxLength: 60 },
    tags: { type: "string", maxLength: 300 },
    difficulty: { type: "string", enum: DIFFICULTIES },
    duration: { type: "integer", minimum: 1, maximum: 100_000 },
    cost: { type: "number", minimum: 0, maximum: 1_000_000 },
    materials: { type: "string", maxLength: 4000 },
    tools: { type: "string", maxLength: 4000 },
    licence: { type: "string", enum: LICENCES },
    visibility: { type: "string", enum: TUTORIAL_VISIBILITIES },
  },
};
export const validateTutorial = compileForm<TutorialForm>(tutorialFormSchema);

export function formToInput(form: TutorialForm): TutorialInput {
  return {
    title: form.title,
    summary: form.summary ?? "",
    categoryId: form.category,
    tags: parseTags(form.tags ?? ""),
    difficulty: form.difficulty,
    durationMinutes: form.duration ?? null,
    costCents: form.cost === undefined ? null : Math.round(form.cost * 100),
    materials: form.materials ?? "",
    tools: form.tools ?? "",
    licence: form.licence,
    visibility: form.visibility,
  };
}

export function tutorialToForm(t: Tutorial) {
  return {
    title: t.title,
    summary: t.summary,
    category: t.categoryId,
    tags: t.tags.join(", "),
    difficulty: t.difficulty,
    duration: t.durationMinutes ?? "",
    cost: t.costCents === null ? "" : (t.costCents / 100).toString(),
    materials: t.materials,
    tools: t.tools,
    licence: t.licence,
    visibility: t.visibility,
  };
}

export interface StepForm {
  title: string;
  text?: string;
  video?: string;
}

export const stepFormSchema = {
  type: "object",
  required: ["title"],
  properties: {
    title: { type: "string", minLength: 1, maxLength: 150 },
    text: { type: "string", maxLength: 20_000 },
    video: { type: "string", maxLength: 500, pattern: "^https?://\\S+$" },
  },
};
export const validateStep = compileForm<StepForm>(stepFormSchema);

export const stepToInput = (form: StepForm): StepInput => ({
  title: form.title,
  source: form.text ?? "",
  videoUrl: form.video ?? null,
});

/** Lines of a materials or tools list, for the page. */
export const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^[-*•]\s*/, ""))
    .filter(Boolean);
