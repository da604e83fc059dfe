// The one `Question` dispatcher (ADR 0137). Fedify takes one object dispatcher per type, and two
// modules publish Questions at their own URLs: consultations (/consultations/{id}) and network
// budgets (/budgets/{id}). The dispatcher is registered once, at `/{kind}/{id}`, and asks the
// module whose `questions` source names that first segment; every other path answers "not found"
// at once, without a query, so Express serves it as before (its HTML page, an activity).
// Served only to signed requests of allowed instances, as network objects are.
import type { Federation, ParseUriResult } from "@fedify/fedify";
import { Question } from "@fedify/vocab";
import type { FederationDeps } from "./deps.ts";
import type { ObjectExtras } from "./extras.ts";
import { servedWithExtras } from "./extras.ts";
import { allowedSigner } from "./signed.ts";

/** How a module publishing Questions serves them (read-only: it calls its domain's services). */
export interface QuestionSource {
  /** The first segment of its Questions' paths, e.g. `budgets` for /budgets/{id}. */
  kind: string;
  /** Whether /{kind}/{id} is a Question served now: the cheap check the authorisation makes. */
  served(id: string): Promise<boolean>;
  /** The Question at /{kind}/{id} as it was published (with its extra terms), if it is served. */
  question(id: string): Promise<{ question: Question; extras: ObjectExtras } | undefined>;
}

export const QUESTION_PATH = "/{kind}/{id}";

// The kinds every instance of this process serves (they all run the same modules).
const kinds = new Set<string>();

/**
 * Whether a parsed URI of ours names one of the Questions we serve. The template matches any
 * two-segment path Fedify has no more specific route for (our activities' ids among them), so a
 * parse as `Question` is only one when its first segment is a source's.
 */
export function isServedQuestion(parsed: ParseUriResult | null): boolean {
  if (parsed?.type !== "object" || parsed.class !== Question) return false;
  return kinds.has(String(parsed.values.kind));
}

export function registerQuestions(
  federation: Federation<void>,
  deps: FederationDeps,
  sources: readonly QuestionSource[],
): void {
  if (sources.length === 0) return;
  const byKind = new Map(sources.map((s) => [s.kind, s]));
  for (const kind of byKind.keys()) kinds.add(kind);
  federation
    .setObjectDispatcher(Question, QUESTION_PATH, async (_ctx, values) => {
      const found = await byKind.get(values.kind!)?.question(values.id!);
      if (!found) return null;
      // The Question is the document itself: its extra terms sit at its top level. (Fedify
      // serialises a served object without asking for the compact form, which the extras of an
      // activity wait for; servedWithExtras asks for it.)
      return servedWithExtras(found.question, found.extras);
    })
    // Not the Question again (its counts, its projects): whether there is one to protect.
    .authorize(async (ctx, values) => {
      if (!(await byKind.get(values.kind!)?.served(values.id!))) return true;
      return (await allowedSigner(ctx, deps)) !== null;
    });
}
