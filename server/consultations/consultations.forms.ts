// The staff's consultation form: fields checked with a JSON Schema, dates typed in the
// instance's timezone, documents one per line as "Titre | https://adresse".
import { DateTime } from "luxon";
import { compileForm } from "../http/validate.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import type { Consultation } from "./consultations.repo.ts";
import type { ConsultationInput, QuestionInput } from "./consultations.service.ts";
import type { Audience, ConsultationDocument, QuestionKind } from "./consultations.tables.ts";
import { AUDIENCES, QUESTION_KINDS } from "./consultations.tables.ts";

export interface ConsultationForm {
  title: string;
  intro?: string;
  rules?: string;
  documents?: string;
  audience: Audience;
  offer?: string;
  opensAt: string;
  closesAt: string;
  quorum?: string;
}

const LOCAL = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$";
export const validateConsultation = compileForm<ConsultationForm>({
  type: "object",
  required: ["title", "audience", "opensAt", "closesAt"],
  properties: {
    title: { type: "string", minLength: 3, maxLength: 150 },
    intro: { type: "string", maxLength: 8000 },
    rules: { type: "string", maxLength: 4000 },
    documents: {
      type: "string",
      maxLength: 4000,
      pattern: "^(\\s*([^|\\n]{1,200}\\|)?\\s*https?://\\S+\\s*(\\n|$))*\\s*$",
    },
    audience: { type: "string", enum: AUDIENCES },
    offer: { type: "string", maxLength: 40 },
    opensAt: { type: "string", pattern: LOCAL },
    closesAt: { type: "string", pattern: LOCAL },
    quorum: { type: "string", pattern: "^[1-9][0-9]{0,6}$" },
  },
});

const local = (value: string) => DateTime.fromISO(value, { zone: DEFAULT_TIMEZONE }).toJSDate();
const toLocal = (date: Date) =>
  DateTime.fromJSDate(date, { zone: DEFAULT_TIMEZONE }).toFormat("yyyy-LL-dd'T'HH:mm");

export function parseDocuments(text: string): ConsultationDocument[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const bar = line.lastIndexOf("|");
      const url = (bar >= 0 ? line.slice(bar + 1) : line).trim();
      const title = bar >= 0 ? line.slice(0, bar).trim() : url;
      return { title, url };
    });
}

export function toInput(v: ConsultationForm): ConsultationInput {
  return {
    title: v.title,
    intro: v.intro ?? "",
    rules: v.rules ?? "",
    documents: parseDocuments(v.documents ?? ""),
    audience: v.audience,
    offerId: v.audience === "offer" ? (v.offer ?? null) : null,
    opensAt: local(v.opensAt),
    closesAt: local(v.closesAt),
    quorum: v.quorum ? Number(v.quorum) : null,
  };
}

export function formValues(c: Consultation): ConsultationForm {
  return {
    title: c.title,
    intro: c.intro,
    rules: c.rules,
    documents: c.documents.map((d) => `${d.title} | ${d.url}`).join("\n"),
    audience: c.audience,
    offer: c.offerId ?? "",
    opensAt: toLocal(c.opensAt),
    closesAt: toLocal(c.closesAt),
    quorum: c.quorum ? String(c.quorum) : "",
  };
}

export interface QuestionForm {
  kind: QuestionKind;
  prompt: string;
  options?: string;
  maxChoices?: string;
}

export const validateQuestion = compileForm<QuestionForm>({
  type: "object",
  required: ["kind", "prompt"],
  properties: {
    kind: { type: "string", enum: QUESTION_KINDS },
    prompt: { type: "string", minLength: 1, maxLength: 500 },
    options: { type: "string", maxLength: 4000 },
    maxChoices: { type: "string", pattern: "^[1-9][0-9]?$" },
  },
});

export const toQuestion = (v: QuestionForm): QuestionInput => ({
  kind: v.kind,
  prompt: v.prompt,
  options: (v.options ?? "").split("\n"),
  maxChoices: v.maxChoices ? Number(v.maxChoices) : null,
});
