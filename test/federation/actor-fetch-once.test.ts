// A member of another instance, never seen before, writes several posts at once in a public
// group: the instance fetches the member's actor document once, for the key check and for
// storing the actor both (issue 15: "never fetch the same actor twice at once"; ADR 0154).
import assert from "node:assert/strict";
import { openGroup } from "../support/groups.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const POSTS = 6;

describe("federation: an actor's document is fetched once for its burst of activities", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;
  let group: string;

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    group = (await openGroup(instance)).uri;
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  it("one GET of the actor for the key check and the handlers of six concurrent posts", async () => {
    const member = await peer.actor("/users/lea", { type: "Person", preferredUsername: "lea" });
    const ids = Array.from({ length: POSTS }, () => `${peer.url}/notes/${crypto.randomUUID()}`);
    const requests = await Promise.all(
      ids.map((id, i) =>
        peer.sign(
          `${instance.url}/inbox`,
          {
            "@context": AS,
            id: `${id}#create`,
            type: "Create",
            actor: member,
            to: [PUBLIC],
            cc: [group],
            object: {
              id,
              type: "Note",
              attributedTo: member,
              audience: group,
              to: [PUBLIC],
              cc: [group],
              content: `<p>Qui a une remorque à prêter samedi ? (${i})</p>`,
            },
          },
          member,
        ),
      ),
    );
    const answers = await Promise.all(requests.map((request) => fetch(request)));
    assert.deepEqual(
      answers.map((a) => a.status),
      ids.map(() => 202),
    );
    await waitFor("the posts", async () => {
      const rows = await instance.ctx.db
        .selectFrom("forum_posts")
        .select("ap_id")
        .where("ap_id", "in", ids)
        .execute();
      return rows.length === POSTS;
    });
    const actorFetches = peer.received.filter(
      (r) => r.method === "GET" && r.path === new URL(member).pathname,
    );
    assert.equal(actorFetches.length, 1, JSON.stringify(peer.received.map((r) => r.path)));
    // The actor is stored, with what its document says.
    const stored = await instance.ctx.db
      .selectFrom("federation_remote_actors")
      .select(["uri", "username"])
      .where("uri", "=", member)
      .executeTakeFirst();
    assert.deepEqual(stored, { uri: member, username: "lea" });
  });
});
