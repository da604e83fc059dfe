// The placeholders of wire snapshots hide only what changes from run to run: a change of any
// other value, of a key, or of the order of an array still shows.
import assert from "node:assert/strict";
import { normalise, snapshotText, type Placeholders } from "../support/snapshots.ts";

const ALICE = "0b6f3c1e-8d7a-4c2b-9e1f-2a3b4c5d6e7f";
const ACTIVITY = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const OTHER = "11111111-2222-4333-8444-555555555555";

const placeholders: Placeholders = {
  hosts: { "127.0.0.1:41234": "a.example", "127.0.0.1:41299": "b.example" },
  labels: new Map([[ALICE, "alice"]]),
};

describe("wire snapshots: normalisation", () => {
  it("sorts keys at every level and keeps the order of arrays", () => {
    const text = snapshotText(
      { type: "Create", "@context": ["b", "a"], object: { to: ["y", "x"], id: "z" } },
      placeholders,
    );
    assert.equal(
      text,
      '{\n  "@context": [\n    "b",\n    "a"\n  ],\n  "object": {\n    "id": "z",\n' +
        '    "to": [\n      "y",\n      "x"\n    ]\n  },\n  "type": "Create"\n}\n',
    );
  });

  it("names hosts, labels known ids and numbers the others per document", () => {
    const out = normalise(
      {
        id: `http://127.0.0.1:41234/activities/${ACTIVITY.toUpperCase()}`,
        actor: `http://127.0.0.1:41234/users/${ALICE}`,
        object: {
          id: `http://127.0.0.1:41234/activities/${ACTIVITY}`,
          object: `http://127.0.0.1:41299/offers/${OTHER}`,
        },
        content: "@alice@127.0.0.1:41234",
      },
      placeholders,
    );
    assert.deepEqual(out, {
      actor: "http://a.example/users/{alice}",
      content: "@alice@a.example",
      id: "http://a.example/activities/{uuid-1}",
      object: {
        id: "http://a.example/activities/{uuid-1}",
        object: "http://b.example/offers/{uuid-2}",
      },
    });
  });

  it("replaces instants, keys and signatures, and nothing else", () => {
    const out = normalise(
      {
        published: "2026-03-01T10:00:00.123Z",
        endTime: "2026-03-01T10:00:00+01:00",
        name: "Sortie du 2026-03-01",
        birthYears: [1990],
        publicKey: { publicKeyPem: "-----BEGIN PUBLIC KEY-----" },
        proof: { proofValue: "z3abc", created: "2026-03-01T10:00:00Z" },
        signature: { signatureValue: "abc==", nonce: "f00" },
      },
      placeholders,
    );
    assert.deepEqual(out, {
      birthYears: [1990],
      endTime: "{datetime}",
      name: "Sortie du 2026-03-01",
      proof: { created: "{datetime}", proofValue: "{proof-value}" },
      publicKey: { publicKeyPem: "{public-key-pem}" },
      published: "{datetime}",
      signature: { nonce: "{nonce}", signatureValue: "{signature-value}" },
    });
  });
});
