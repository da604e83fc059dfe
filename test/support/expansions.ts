// Counts the JSON-LD expansions of whole documents (with their context), by the document's id:
// what parsing an activity costs (ADRs 0169, 0171, 0173). The real expansion still runs.
import jsonld from "@fedify/vocab-runtime/jsonld";

type Expand = (input: unknown, options?: unknown) => Promise<unknown[]>;
/** The JSON-LD processor Fedify's vocabulary parses with (the same module instance). */
const processor = jsonld as unknown as { expand: Expand };

export interface ExpansionCount {
  /** Expansions of the document with this id so far. */
  of(id: string): number;
  /** Puts the processor's own expansion back. */
  restore(): void;
}

export function countExpansions(): ExpansionCount {
  const expand = processor.expand;
  const counts = new Map<string, number>();
  processor.expand = (input, options) => {
    const { id } = (input ?? {}) as { id?: unknown };
    if (typeof id === "string" && Object.hasOwn(input as object, "@context"))
      counts.set(id, (counts.get(id) ?? 0) + 1);
    return expand.call(processor, input, options);
  };
  return {
    of: (id) => counts.get(id) ?? 0,
    restore: () => void (processor.expand = expand),
  };
}
