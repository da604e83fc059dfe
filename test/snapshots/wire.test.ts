// Wire snapshots (test/snapshots/README.md): two instances on loopback, each behind a recording
// proxy, do what members and staff do; every activity POSTed to an inbox and every object served
// as ActivityStreams is compared with its reviewed file under test/snapshots/wire/. A change of
// what Maillage sends or serves is a failing test with a diff until the file is updated.
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startNetwork, stopNetwork, type Network } from "../federation/harness.ts";
import { matchSnapshot, staleSnapshots, type Placeholders } from "../support/snapshots.ts";
import { WireTap } from "../support/wire-tap.ts";
import { Capture } from "./capture.ts";
import { forumsOnTheWire } from "./forums.scenario.ts";
import { offersOnTheWire } from "./offers.scenario.ts";
import { tutorialsOnTheWire } from "./tutorials.scenario.ts";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "wire");

/** Every snapshot the scenario produces, by file name under wire/. */
const SNAPSHOTS = [
  "served/event",
  "served/tombstone",
  "served/group",
  "served/page",
  "served/note",
  "served/organization",
  "served/application",
  "served/person",
  "sent/follow",
  "sent/accept-follow",
  "sent/reject-follow",
  "sent/undo-follow",
  "sent/create-event",
  "sent/update-event-full",
  "sent/update-event-places-again",
  "sent/update-event-cancelled",
  "sent/delete-tombstone",
  "sent/join",
  "sent/accept-join",
  "sent/tentative-accept-join",
  "sent/reject-join",
  "sent/leave",
  "sent/accept-promotion",
  "sent/create-note-message",
  "sent/reject-removed-by-staff",
  "sent/create-page",
  "sent/announce-create-note",
  "sent/announce-update-note",
  "sent/update-page",
  "sent/like",
  "sent/undo-like",
  "sent/flag",
  "sent/announce-lock",
  "sent/announce-undo-lock",
  "sent/announce-delete",
  "sent/block",
  "sent/reject-follow-group",
  "sent/update-group",
  "sent/undo-follow-group",
  "sent/create-page-mention",
  "served/article",
  "sent/create-article",
  "sent/create-note-tutorial-comment",
  "sent/create-note-tutorial-made",
  "sent/like-article",
  "sent/undo-like-article",
  "sent/create-note-album-photo",
  "sent/delete-album-note",
];

const fileOf = (name: string) => path.join(DIR, `${name}.json`);

describe("wire snapshots: what Maillage sends and serves", function () {
  this.timeout(300_000);
  const tap = new WireTap();
  const capture = new Capture(tap);
  const placeholders: Placeholders = { hosts: {}, labels: new Map() };
  let net: Network | undefined;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] }, { tap });
    const [a, b] = [net.a!, net.b!];
    placeholders.hosts = { [a.host]: "a.example", [b.host]: "b.example" };
    await offersOnTheWire(a, b, capture, placeholders.labels);
    await forumsOnTheWire(a, b, capture, placeholders.labels);
    await tutorialsOnTheWire(a, b, capture, placeholders.labels);
    await capture.served("served/organization", b, "/users/cmcas");
    await capture.served("served/application", b, "/actor");
    const lea = [...placeholders.labels].find(([, label]) => label === "lea")![0];
    await capture.served("served/person", a, `/users/${lea}`);
  });
  after(async () => {
    if (net) await stopNetwork(net);
    await tap.stop();
  });

  it("captures exactly the listed snapshots", () => {
    assert.deepEqual([...capture.documents.keys()].sort(), [...SNAPSHOTS].sort());
  });

  for (const name of SNAPSHOTS)
    it(name, () => {
      const document = capture.documents.get(name);
      assert.ok(document, `${name} was not captured`);
      matchSnapshot(fileOf(name), document, placeholders);
    });

  it("keeps no snapshot file the scenario does not produce", () => {
    assert.deepEqual(staleSnapshots(DIR, SNAPSHOTS.map(fileOf)), []);
  });

  it("signs with Ed25519 between the two instances, and each such POST is accepted", () => {
    // Each instance's actors state that it verifies Ed25519 (FEP-844e, ADR 0176): a fan-out's
    // first tries use it once the other's actors are stored; the gate verifies them.
    const ed25519 = tap.posted.filter((p) => p.alg === "ed25519");
    assert.ok(ed25519.length >= 5, `${ed25519.length} POSTs signed with Ed25519`);
    const refused = ed25519.filter((p) => p.status < 200 || p.status >= 300);
    assert.deepEqual(
      refused.map((p) => [p.to, p.path, p.status, p.body.type]),
      [],
    );
  });
});
