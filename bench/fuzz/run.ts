// The fuzz run: two instances on loopback (A receives, B is an allowed peer whose key signs),
// thousands of broken payloads sent to A's inboxes and JSON API, signed and unsigned, with
// well-formed ones mixed in. Checked: no answer ≥ 500, no failed connection, no uncaught error,
// A still healthy, every well-formed payload processed, A's heap back to its level at the start.
import "../../federation/temporal.ts";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import {
  drain,
  followCmcas,
  noteKept,
  startNetwork,
  stopNetwork,
  type Peer,
} from "../../test/federation/harness.ts";
import { fixturesDir } from "../../test/support/fixtures.ts";
import { cmcasSigner, createNote, inboxRequest } from "../../test/support/inbox.ts";
import { apiCases, wellFormedOffer, type ApiCase } from "./api-cases.ts";
import { loadSeeds, localise, mutate, random, type Kind, type Random } from "./mutations.ts";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

export interface FuzzOptions {
  payloads: number;
  seed: number;
  concurrency: number;
  /** Share of the payloads sent to the JSON API (the rest go to inboxes). */
  apiShare: number;
  /** One well-formed payload every `controlEvery` payloads. */
  controlEvery: number;
  /** Send the payloads this many times over (1 by default). */
  rounds?: number;
  progress?: (done: number) => void;
}

export interface FuzzReport {
  sent: number;
  inbox: { total: number; signed: number; unsigned: number };
  api: { total: number; withToken: number; anonymous: number };
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  serverErrors: { status: number; target: string; kind: string; sample: string }[];
  connectionErrors: { target: string; kind: string; error: string }[];
  /** Requests whose connection was reset and that were sent again once (see resetOnce). */
  resets: number;
  uncaught: string[];
  wellFormed: { sent: number; processed: number; missed: string[] };
  /** After forced garbage collections: at the start, after each round, at the end. */
  heapMb: { start: number; rounds: number[]; end: number };
  healthy: boolean;
  seconds: number;
}

function heapMb(): number {
  for (let i = 0; i < 3; i++) gc();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

/** Real payloads, moved to B's origin and said to come from B's CMCAS (its key signs them). */
function inboxSeeds(b: Peer): unknown[] {
  const root = path.resolve(import.meta.dirname, "../..");
  const dirs = [
    fixturesDir("mobilizon"),
    fixturesDir("lemmy"),
    path.join(root, "test/snapshots/wire"),
  ].filter((d): d is string => d !== undefined);
  const actor = `${b.url}/users/cmcas`;
  return loadSeeds(dirs).map(({ json }) => {
    const moved = localise(json, b.url) as Record<string, unknown>;
    if ("actor" in moved) moved.actor = actor;
    return moved;
  });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const uncaught: string[] = [];
  const onUncaught = (error: unknown) => uncaught.push(String(error));
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  const net = await startNetwork({ a: ["b"], b: ["a"] });
  const a = net.a!;
  const b = net.b!;
  // A keeps the notes of the actors it follows only: the well-formed notes come from B's CMCAS.
  await followCmcas(a, b);
  const report: FuzzReport = {
    sent: 0,
    inbox: { total: 0, signed: 0, unsigned: 0 },
    api: { total: 0, withToken: 0, anonymous: 0 },
    byKind: {},
    byStatus: {},
    serverErrors: [],
    connectionErrors: [],
    resets: 0,
    uncaught,
    wellFormed: { sent: 0, processed: 0, missed: [] },
    heapMb: { start: 0, rounds: [], end: 0 },
    healthy: false,
    seconds: 0,
  };
  try {
    const signer = await cmcasSigner(b.instance);
    const seeds = inboxSeeds(b);
    if (seeds.length === 0) throw new Error("no seed payloads found");
    const api = await apiCases(a);
    const controls: { note?: string; offer?: string; status: number }[] = [];

    const count = (table: Record<string, number>, name: string) => {
      table[name] = (table[name] ?? 0) + 1;
    };
    const record = (status: number, target: string, kind: Kind | "well-formed", body: Buffer) => {
      count(report.byStatus, String(status));
      if (status >= 500)
        report.serverErrors.push({
          status,
          target,
          kind,
          sample: body.subarray(0, 300).toString("utf8"),
        });
    };

    async function sendInbox(body: Buffer, kind: Kind | "well-formed", rr: Random) {
      const inbox = rr.int(2) ? `${a.url}/inbox` : `${a.url}/users/cmcas/inbox`;
      const signed = kind === "well-formed" || rr.int(2) === 1;
      const contentType =
        rr.int(10) === 0 ? rr.pick(["text/plain", "application/json", ""]) : undefined;
      // Drawn after the content type and only when signed, so that a seed replays the same run.
      const spec = signed ? (rr.int(2) ? "rfc9421" : "draft-cavage-http-signatures-12") : undefined;
      const request = await inboxRequest(
        inbox,
        new Uint8Array(body),
        spec ? { ...signer, spec } : undefined,
        contentType,
      );
      report.inbox.total++;
      if (signed) report.inbox.signed++;
      else report.inbox.unsigned++;
      try {
        // A request's body is read once: a second try is signed and built again.
        let again = false;
        const res = await resetOnce(report, async () => {
          const sent = again
            ? await inboxRequest(
                inbox,
                new Uint8Array(body),
                spec ? { ...signer, spec } : undefined,
                contentType,
              )
            : request;
          again = true;
          return fetch(sent);
        });
        await res.arrayBuffer();
        record(res.status, inbox, kind, body);
        return res.status;
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        report.connectionErrors.push({
          target: inbox,
          kind,
          error: `${String(error)} ${String(cause)}`,
        });
        return 0;
      }
    }

    async function sendApi(item: ApiCase, kind: Kind | "well-formed", body: Buffer | undefined) {
      report.api.total++;
      if (item.token) report.api.withToken++;
      else report.api.anonymous++;
      const target = `${item.method.toUpperCase()} ${item.path}`;
      try {
        const res = await resetOnce(report, () =>
          fetch(`${a.url}${item.url}`, {
            method: item.method.toUpperCase(),
            headers: {
              accept: "application/json",
              ...(body ? { "content-type": "application/json" } : {}),
              ...(item.token ? { authorization: `Bearer ${item.token}` } : {}),
            },
            ...(body ? { body: new Uint8Array(body) } : {}),
          }),
        );
        const text = await res.text();
        record(res.status, target, kind, body ?? Buffer.from(item.url));
        return { status: res.status, text };
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        report.connectionErrors.push({ target, kind, error: `${String(error)} ${String(cause)}` });
        return { status: 0, text: "" };
      }
    }

    async function one(index: number) {
      const rr = random(options.seed * 7919 + index);
      if (index % options.controlEvery === options.controlEvery - 1) {
        report.wellFormed.sent++;
        count(report.byKind, "well-formed");
        if (rr.int(2)) {
          const note = createNote(b.url, `bien formé ${index}`);
          const status = await sendInbox(Buffer.from(JSON.stringify(note)), "well-formed", rr);
          controls.push({ note: note.object.id, status });
        } else {
          const res = await sendApi(api.offerCreation, "well-formed", wellFormedOffer(index));
          const id = res.status === 201 ? (JSON.parse(res.text) as { id?: string }).id : undefined;
          controls.push({ ...(id ? { offer: id } : {}), status: res.status });
        }
        return;
      }
      if (rr.next() < options.apiShare) {
        const item = api.pick(rr);
        const mutant = item.body === undefined ? undefined : mutate(item.body, rr, b.url);
        count(report.byKind, mutant?.kind ?? "query-only");
        await sendApi(item, mutant?.kind ?? "mutated", mutant?.body);
        return;
      }
      const mutant = mutate(rr.pick(seeds), rr, b.url);
      count(report.byKind, mutant.kind);
      await sendInbox(mutant.body, mutant.kind, rr);
    }

    // Warm-up (key fetch, caches, compiled code) before the heap is measured.
    for (let i = 0; i < 20; i++) await one(options.payloads + i);
    await drain(a, b);
    report.heapMb.start = heapMb();

    // Each round after the first draws other payloads (its indexes are past the warm-up's): a
    // heap that grows round after round is a leak, one that stays level is a bounded cache.
    for (let round = 0; round < (options.rounds ?? 1); round++) {
      const offset = round * (options.payloads + 1000);
      let next = 0;
      const worker = async () => {
        while (next < options.payloads) {
          const index = next++;
          await one(offset + index);
          report.sent++;
          if (report.sent % 500 === 0) options.progress?.(report.sent);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      await drain(a, b);
      report.heapMb.rounds.push(heapMb());
    }

    // Inbox activities are processed from the queue: give the last ones a moment.
    const deadline = Date.now() + 30_000;
    for (const control of controls) {
      let ok = false;
      if (control.note) {
        while (control.status === 202 && !ok) {
          ok = (await noteKept(a, control.note)) !== undefined;
          if (!ok && Date.now() > deadline) break;
          if (!ok) await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } else if (control.offer) {
        const res = await getAfterIdle(`${a.url}/api/v1/offers/${control.offer}`, {
          authorization: `Bearer ${a.admin.token}`,
        });
        await res.arrayBuffer();
        ok = res.status === 200;
      }
      if (ok) report.wellFormed.processed++;
      else
        report.wellFormed.missed.push(
          control.note ? `note ${control.note} (${control.status})` : `offer (${control.status})`,
        );
    }
    const health = await getAfterIdle(`${a.url}/readyz`);
    await health.arrayBuffer();
    report.healthy = health.status === 200;
    report.heapMb.end = heapMb();
  } finally {
    await stopNetwork(net);
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
    report.seconds = Math.round((Date.now() - started) / 1000);
  }
  return report;
}

/** The heap may grow by this much and still count as "back": caches of bounded size. */
export const HEAP_SLACK_MB = 40;

// The checks after the rounds (is the well-formed offer there, is the instance ready) are reads
// made after the client's pooled connection sat idle while the queue drained: when the server
// closes it for idleness at the moment it is reused (likelier on a loaded machine), the read gets
// ECONNRESET. That says nothing about the instance; it is asked again once (the reset connection has left the pool).
async function getAfterIdle(url: string, headers: Record<string, string> = {}): Promise<Response> {
  try {
    return await fetch(url, { headers });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== "ECONNRESET") throw error;
    return fetch(url, { headers });
  }
}

const resetCode = (error: unknown) => (error as { cause?: { code?: string } }).cause?.code;

/**
 * A fuzzed request whose connection is reset is sent again once, on a new connection. On a
 * loaded machine the client may write into a pooled connection the server is closing for
 * idleness, or keep writing a body the server has already answered; neither says anything about
 * the instance. A crashed or hung instance still shows: the second try fails (refused or reset)
 * and counts as a failed connection, and the run ends with the readiness check.
 */
async function resetOnce(report: FuzzReport, send: () => Promise<Response>): Promise<Response> {
  try {
    return await send();
  } catch (error) {
    if (resetCode(error) !== "ECONNRESET") throw error;
    report.resets++;
    return send();
  }
}

export function problems(report: FuzzReport): string[] {
  const found: string[] = [];
  if (report.serverErrors.length) found.push(`${report.serverErrors.length} answers ≥ 500`);
  if (report.connectionErrors.length)
    found.push(`${report.connectionErrors.length} failed connections`);
  if (report.uncaught.length) found.push(`${report.uncaught.length} uncaught errors`);
  if (report.wellFormed.processed !== report.wellFormed.sent)
    found.push(`${report.wellFormed.sent - report.wellFormed.processed} well-formed not processed`);
  if (!report.healthy) found.push("instance not ready at the end");
  if (report.heapMb.end > report.heapMb.start + HEAP_SLACK_MB)
    found.push(`heap ${report.heapMb.start} → ${report.heapMb.end} MB`);
  return found;
}
