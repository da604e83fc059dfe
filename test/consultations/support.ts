// Shared steps of the consultations suites: a consultation written through the staff's forms, as
// a CMCAS employee without JavaScript would, and many members with API tokens.
import assert from "node:assert/strict";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import type { TestInstance } from "../support/instance.ts";
import { csrfFrom, submit, type Agent } from "../support/web.ts";

const HOUR = 3_600_000;
/** A datetime-local value in Paris time, hours from now. */
export const inHours = (hours: number) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  })
    .format(new Date(Date.now() + hours * HOUR))
    .replace(" ", "T");

export async function newConsultation(
  staff: Agent,
  fields: Record<string, string> = {},
  questions: Record<string, string>[] = [
    { kind: "single", prompt: "Quel séjour ?", options: "Mer\nMontagne\nCampagne" },
  ],
): Promise<string> {
  const res = await submit(staff, "/consultations/new", "/consultations/new", {
    title: "Les séjours de l'été prochain",
    intro: "Nous préparons les séjours de l'été.",
    rules: "Réservé aux bénéficiaires.",
    documents: "Bilan de l'été dernier | https://exemple.fr/bilan.pdf",
    audience: "instance",
    opensAt: inHours(-1),
    closesAt: inHours(48),
    ...fields,
  });
  assert.equal(res.status, 303, res.text);
  const id = /\/consultations\/([0-9a-f-]{36})\/edit/.exec(res.headers.location ?? "")?.[1];
  assert.ok(id, `redirected to ${res.headers.location}`);
  for (const q of questions) {
    const added = await submit(
      staff,
      `/consultations/${id}/edit`,
      `/consultations/${id}/questions`,
      q,
    );
    assert.equal(added.status, 303, added.text);
  }
  return id;
}

export async function openConsultation(staff: Agent, id: string): Promise<void> {
  const res = await submit(staff, `/consultations/${id}`, `/consultations/${id}/open`, {});
  assert.equal(res.status, 303, res.text);
}

export async function closeConsultation(staff: Agent, id: string): Promise<void> {
  const res = await submit(staff, `/consultations/${id}`, `/consultations/${id}/close`, {});
  assert.equal(res.status, 303, res.text);
}

export async function questionIds(instance: TestInstance, id: string): Promise<string[]> {
  const rows = await instance.ctx.db
    .selectFrom("consultation_questions")
    .select("id")
    .where("consultation_id", "=", id)
    .orderBy("position")
    .execute();
  return rows.map((r) => r.id);
}

/** `count` members written straight into the database (no password hashing), with API tokens. */
export async function manyMembers(instance: TestInstance, count: number, prefix: string) {
  const rows = await instance.ctx.db
    .insertInto("users")
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `${prefix}${i}@exemple.fr`,
        email_confirmed_at: new Date(),
        password_hash: "x",
        username: `${prefix}${i}`,
        display_name: `Votant ${i}`,
        notification_prefs: "{}",
      })),
    )
    .returning("id")
    .execute();
  const out: { id: string; token: string }[] = [];
  for (const r of rows)
    out.push({ id: r.id, token: (await issueApiToken(instance.ctx.db, r.id, "tests")).token });
  return out;
}

/** Runs `work` over `items`, `limit` at a time. */
export async function bounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Posts a form whose fields may repeat (ticked checkboxes), with the page's CSRF token. */
export async function submitBallot(
  agent: Agent,
  pagePath: string,
  action: string,
  fields: Record<string, string | string[]>,
) {
  const page = await agent.get(pagePath);
  const body = new URLSearchParams({ _csrf: csrfFrom(page.text) });
  for (const [k, v] of Object.entries(fields))
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return agent.post(action).type("form").send(body.toString());
}
