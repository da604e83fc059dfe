// Found by the fuzz run (seed 1, payloads 1446 and 8290): a signed inbox POST whose JSON holds an
// unpaired surrogate ("\ud800", valid JSON) was answered 503. The database job queue could not
// store it (jsonb refuses it: a data exception) and reported that as an outage, so the sender
// would have retried it forever. It is the sender's fault: 400 with a message, nothing kept.
import assert from "node:assert/strict";
import pino from "pino";
import { jobSpecs } from "../../app/assemble.ts";
import { MODULES } from "../../app/modules.ts";
import { DatabaseQueue } from "../../server/jobs/db-queue.ts";
import { QueueUnavailableError } from "../../server/jobs/queue.ts";
import {
  followCmcas,
  noteKept,
  startNetwork,
  stopNetwork,
  type Network,
} from "../federation/harness.ts";
import { cmcasSigner, createNote, inboxRequest, type Signer } from "../support/inbox.ts";

describe("inbox: text that cannot be stored is refused with 400, not 503", function () {
  this.timeout(120_000);
  let net: Network;
  let signer: Signer;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    signer = await cmcasSigner(net.b!.instance, "rfc9421");
    // A keeps notes of the actors it follows only.
    await followCmcas(net.a!, net.b!);
  });
  after(() => stopNetwork(net));

  async function post(path: string, body: object | Uint8Array) {
    const res = await fetch(await inboxRequest(`${net.a!.url}${path}`, body, signer));
    return { status: res.status, text: await res.text() };
  }

  it("refuses an unpaired surrogate or a NUL in the text, a key or a context, on both inboxes", async () => {
    const b = net.b!;
    const cases: [string, (note: ReturnType<typeof createNote>) => object][] = [
      [
        "unpaired surrogate in the content",
        (n) => ({ ...n, object: { ...n.object, content: "a\ud800b" } }),
      ],
      ["NUL in the content", (n) => ({ ...n, object: { ...n.object, content: "a\u0000b" } })],
      ["unpaired surrogate in a key", (n) => ({ ...n, "x\udc00": "y" })],
      // The shape the fuzz run sent: a Linked Data signature of the wrong type next to it.
      [
        "unpaired surrogate in a context term",
        (n) => ({
          ...n,
          "@context": [n["@context"], { conversation: "\ud800" }],
          signature: { type: { constructor: {} }, signatureValue: "AAAA", creator: signer.keyId },
        }),
      ],
    ];
    for (const path of ["/inbox", "/users/cmcas/inbox"])
      for (const [what, change] of cases) {
        const note = createNote(b.url, what);
        const res = await post(path, change(note));
        assert.equal(res.status, 400, `${path}, ${what}: ${res.text}`);
        assert.match(res.text, /NUL character or an unpaired surrogate/);
        assert.equal(await noteKept(net.a!, note.object.id), undefined);
      }
  });

  it("still accepts surrogate pairs (an emoji) and keeps the note", async () => {
    const note = createNote(net.b!.url, "bonne soirée 🎉");
    const res = await post("/inbox", note);
    assert.equal(res.status, 202, res.text);
    for (let i = 0; i < 100 && !(await noteKept(net.a!, note.object.id)); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const kept = await noteKept(net.a!, note.object.id);
    assert.ok(kept, "the note is kept");
    assert.match(JSON.stringify(kept), /🎉/);
  });

  it("the database queue reports a payload it cannot store as the payload's, not an outage", async () => {
    const queue = new DatabaseQueue(
      net.a!.instance.ctx.db,
      pino({ level: "silent" }),
      1,
      jobSpecs(MODULES),
    );
    await assert.rejects(
      queue.enqueue("mail.send", {
        to: "a@exemple.fr",
        template: "confirm",
        lang: "fr",
        data: { name: "a\ud800b" },
      }),
      (error: unknown) => {
        assert.ok(!(error instanceof QueueUnavailableError), String(error));
        assert.match(String((error as { code?: unknown }).code), /^22/);
        return true;
      },
    );
  });
});
