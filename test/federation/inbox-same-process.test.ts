// An instance running its inbox worker in the web process (PROCESS_ROLE=all, the default) reads
// an activity once: the worker takes what the shared inbox parsed before queuing it (ADR 0173)
// instead of expanding the same document again. What it stores is as before.
import assert from "node:assert/strict";
import { countExpansions, type ExpansionCount } from "../support/expansions.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { openGroup } from "../support/groups.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { eventually } from "../forums/helpers.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("inbox: the worker of the same process reads an activity once", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let a: TestInstance;
  let member: string;
  let group: string;
  let expansions: ExpansionCount | undefined;

  before(async () => {
    peer = await FakePeer.start();
    member = await peer.actor("/users/lea", { type: "Person", preferredUsername: "lea" });
    a = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    group = (await openGroup(a)).uri;
    expansions = countExpansions();
  });
  after(async () => {
    expansions?.restore();
    await a?.destroy();
    await peer?.close();
  });

  it("expands a topic sent to one of our groups once, and stores it", async () => {
    const post = `${peer.url}/notes/${crypto.randomUUID()}`;
    const activity = {
      "@context": AS,
      id: `${post}#create`,
      type: "Create",
      actor: member,
      to: [`${AS}#Public`],
      cc: [group],
      object: {
        id: post,
        type: "Note",
        attributedTo: member,
        audience: group,
        to: [`${AS}#Public`],
        cc: [group],
        content: "<p>Qui a une remorque à prêter samedi ?</p>",
      },
    };
    const res = await peer.post(`${a.url}/inbox`, activity, member);
    assert.equal(res.status, 202, await res.text());
    const stored = await eventually(() =>
      a.ctx.db
        .selectFrom("forum_posts")
        .select(["text_plain"])
        .where("ap_id", "=", post)
        .executeTakeFirst(),
    );
    assert.match(stored.text_plain, /remorque/);
    // Before: once at the inbox, once more by the worker.
    assert.equal(expansions?.of(activity.id), 1);
  });
});
