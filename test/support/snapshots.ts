// Reviewed snapshots of JSON-LD documents (test/snapshots/README.md). What changes from run to
// run is replaced by stable placeholders and keys are sorted, so that a file changes only when
// the shape or the content of what we send changes. UPDATE_SNAPSHOTS=1 rewrites the files.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { UPDATE_SNAPSHOTS } from "./env.ts";

export interface Placeholders {
  /** `127.0.0.1:<port>` of each instance → the name it has in snapshots (`a.example`). */
  hosts: Record<string, string>;
  /** Ids the test knows (a member's, an offer's) → a readable label. */
  labels: Map<string, string>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Keys and signatures are new on every run; their presence and place are what is checked. */
const SECRETS: Record<string, string> = {
  publicKeyPem: "{public-key-pem}",
  publicKeyMultibase: "{public-key-multibase}",
  signatureValue: "{signature-value}",
  proofValue: "{proof-value}",
  nonce: "{nonce}",
};

/** The document with sorted keys and placeholders; ids the test does not know are numbered in
 * order of appearance, so the same id twice in one document keeps one placeholder. */
export function normalise(document: unknown, placeholders: Placeholders): unknown {
  const numbered = new Map<string, string>();
  const uuid = (found: string) => {
    const id = found.toLowerCase();
    const label = placeholders.labels.get(id);
    if (label) return `{${label}}`;
    if (!numbered.has(id)) numbered.set(id, `{uuid-${numbered.size + 1}}`);
    return numbered.get(id)!;
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value !== null && typeof value === "object") {
      const source = value as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(source)
          .sort()
          .map((k) => [k, walk(source[k], k)]),
      );
    }
    if (typeof value !== "string") return value;
    if (key !== undefined && Object.hasOwn(SECRETS, key)) return SECRETS[key];
    if (DATETIME.test(value)) return "{datetime}";
    let text = value;
    for (const [host, name] of Object.entries(placeholders.hosts))
      text = text.replaceAll(host, name);
    return text.replace(UUID, uuid);
  };
  return walk(document);
}

export function snapshotText(document: unknown, placeholders: Placeholders): string {
  return `${JSON.stringify(normalise(document, placeholders), null, 2)}\n`;
}

/** Compares with the reviewed file, or writes it under UPDATE_SNAPSHOTS=1. */
export function matchSnapshot(file: string, document: unknown, placeholders: Placeholders): void {
  const actual = snapshotText(document, placeholders);
  if (UPDATE_SNAPSHOTS) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(
    fs.existsSync(file),
    `no snapshot ${file}: run with UPDATE_SNAPSHOTS=1, review and commit it`,
  );
  const expected = fs.readFileSync(file, "utf8");
  if (actual === expected) return;
  // Mocha shows the line diff of `expected` and `actual` under this message.
  const shown = path.relative(process.cwd(), file);
  throw Object.assign(
    new Error(
      `${shown} no longer matches the document on the wire. If the change is intended, run ` +
        `the test with UPDATE_SNAPSHOTS=1, review "git diff ${path.dirname(shown)}" and commit it.`,
    ),
    { actual, expected, showDiff: true },
  );
}

/** Snapshot files under `dir` that no test produced (removed under UPDATE_SNAPSHOTS=1). */
export function staleSnapshots(dir: string, produced: readonly string[]): string[] {
  const keep = new Set(produced.map((f) => path.resolve(f)));
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.resolve(dir, f))
    .filter((f) => f.endsWith(".json") && !keep.has(f));
  if (UPDATE_SNAPSHOTS) for (const f of files) fs.rmSync(f);
  return UPDATE_SNAPSHOTS ? [] : files;
}
