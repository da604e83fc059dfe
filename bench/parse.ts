// `npm run bench:parse`: the CPU of reading and writing activities with Fedify's vocabulary, with
// the re-expansion shortcut (federation/jsonld-reexpansion.ts, ADR 0175) against the JSON-LD
// processor's own expansions as the baseline, alternated in the same run. One unit of work is
// what `npm run bench:inbox` asks of the instance's parser per pair of activities: a Create(Note)
// to a group and a Create(Event) with its place read, and the group's Announce of the Create
// written out compacted. No network, no database.
//   npm run bench:parse [-- --pairs 600 --rounds 7]
import { parseArgs } from "node:util";
import { Activity, Announce } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import jsonld from "@fedify/vocab-runtime/jsonld";
import "../federation/contexts.ts";
import "../federation/activity-parse.ts";
import { realExpand } from "../federation/jsonld-reexpansion.ts";

const { values: args } = parseArgs({
  options: { pairs: { type: "string", default: "600" }, rounds: { type: "string", default: "7" } },
});
const PAIRS = Math.min(10_000, Math.max(10, Number(args.pairs)));
const ROUNDS = Math.min(20, Math.max(1, Number(args.rounds)));

const processor = jsonld as unknown as { expand: typeof realExpand };
const shortcut = processor.expand;
const AS = "https://www.w3.org/ns/activitystreams";
const loader = getDocumentLoader();
const loaders = { contextLoader: loader, documentLoader: loader };

const note = (i: number) => ({
  "@context": AS,
  id: `https://autre.example/notes/${i}#create`,
  type: "Create",
  actor: "https://autre.example/users/lea",
  to: [`${AS}#Public`],
  cc: ["https://ici.example/groups/jardin"],
  object: {
    id: `https://autre.example/notes/${i}`,
    type: "Note",
    attributedTo: "https://autre.example/users/lea",
    name: "Qui a une remorque ?",
    content: "<p>Pour le jardin partagé, samedi.</p>",
    audience: "https://ici.example/groups/jardin",
    published: "2026-12-07T10:00:00Z",
  },
});
const event = (i: number) => ({
  "@context": [AS, { "@language": "fr" }],
  id: `https://cmcas.example/offers/${i}#create`,
  type: "Create",
  actor: "https://cmcas.example/users/cmcas",
  to: [`${AS}#Public`],
  object: {
    id: `https://cmcas.example/offers/${i}`,
    type: "Event",
    name: "Randonnée au lac",
    content: "<p>Départ 9 h.</p>",
    startTime: "2027-01-10T09:00:00+01:00",
    location: { type: "Place", name: "Lac de Vassivière", latitude: 45.8, longitude: 1.87 },
  },
});

async function pair(i: number): Promise<void> {
  const create = await Activity.fromJsonLd(note(i), loaders);
  await Activity.fromJsonLd(event(i), loaders);
  const announce = new Announce({
    id: new URL(`https://ici.example/activities/${i}`),
    actor: new URL("https://ici.example/groups/jardin"),
    object: create,
    tos: [new URL(`${AS}#Public`)],
  });
  await announce.toJsonLd({ format: "compact", contextLoader: loader });
}

/** CPU milliseconds per pair of this process, after a warm-up of the same code. */
async function measure(expand: typeof realExpand): Promise<number> {
  processor.expand = expand;
  for (let i = 0; i < PAIRS / 3; i++) await pair(i);
  const start = process.cpuUsage();
  for (let i = 0; i < PAIRS; i++) await pair(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / PAIRS;
}

// Both ways run first until the JIT has settled, so that no round measures compilation.
for (const expand of [shortcut, realExpand, shortcut, realExpand]) {
  processor.expand = expand;
  for (let i = 0; i < PAIRS; i++) await pair(i);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline: number[] = [];
const measured: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  // Alternated, each first in turn: neither gets the warmer machine every time.
  const order = round % 2 ? [true, false] : [false, true];
  for (const withShortcut of order)
    (withShortcut ? measured : baseline).push(await measure(withShortcut ? shortcut : realExpand));
  process.stdout.write(
    `round ${round}  processor ${baseline.at(-1)!.toFixed(3)} ms/pair, ` +
      `shortcut ${measured.at(-1)!.toFixed(3)} ms/pair\n`,
  );
}
processor.expand = shortcut;
const ratio = median(measured) / median(baseline);
process.stdout.write(
  `median    processor ${median(baseline).toFixed(3)} ms/pair, shortcut ` +
    `${median(measured).toFixed(3)} ms/pair: ratio ${ratio.toFixed(2)} (${PAIRS} pairs × ${ROUNDS})\n`,
);
