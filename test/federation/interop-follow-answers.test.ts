// Following a group elsewhere is pending until the group's Accept; a Reject ends it and tells the
// member; people of other instances cannot write in our groups one joins on approval (issue 16,
// cause 19). The remote group is a peer on loopback.
import assert from "node:assert/strict";
import { forumMember, type ForumMember } from "../forums/helpers.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;

describe("federation: a remote group's answer to our member's Follow", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;
  let category: string;

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    category = await peer.actor("/category/5", {
      type: "Group",
      preferredUsername: "jardin",
      name: "Jardin",
    });
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  /** Our member follows the category: the group's id here, and our Follow as the peer got it. */
  const follow = async (member: ForumMember) => {
    const followed = await member.api.post("/groups/follow", { target: category });
    assert.equal(followed.status, 201, followed.text);
    const actor = `${instance.url}/users/${member.user.id}`;
    const received = await waitFor("our Follow at the peer", async () =>
      peer.received.find((r) => r.body?.type === "Follow" && r.body.actor === actor),
    );
    return { groupId: followed.body.id as string, follow: received.body! };
  };
  const membership = async (member: ForumMember, groupId: string) =>
    (await member.api.get(`/groups/${groupId}`)).body.membership as string | null;

  it("is pending until the group accepts", async () => {
    const member = await forumMember(instance, "member", { prefix: "ines" });
    const { groupId, follow: sent } = await follow(member);
    assert.equal(await membership(member, groupId), "pending");
    const res = await peer.post(
      `${instance.url}/inbox`,
      { "@context": AS, id: `${category}#accept-1`, type: "Accept", actor: category, object: sent },
      category,
    );
    assert.equal(res.status, 202, await res.text());
    await waitFor("the membership to be active", async () =>
      (await membership(member, groupId)) === "active" ? true : undefined,
    );
  });

  it("ends the membership on Reject and tells the member", async () => {
    const member = await forumMember(instance, "member", { prefix: "paul" });
    const { groupId, follow: sent } = await follow(member);
    const res = await peer.post(
      `${instance.url}/inbox`,
      // By id only, as much software sends it.
      {
        "@context": AS,
        id: `${category}#reject-1`,
        type: "Reject",
        actor: category,
        object: sent.id,
      },
      category,
    );
    assert.equal(res.status, 202, await res.text());
    await waitFor("the membership to be gone", async () =>
      (await membership(member, groupId)) ? undefined : true,
    );
    const notices = await instance.ctx.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", member.user.id)
      .execute();
    assert.ok(
      notices.some((n) => n.kind === "forums:followRejected"),
      JSON.stringify(notices),
    );
  });

  it("refuses a remote member's post in one of our groups one joins on approval", async () => {
    const staff = await forumMember(instance, "staff");
    const created = await staff.api.post("/groups", {
      name: "Bureau",
      visibility: "public",
      joinPolicy: "approval",
    });
    assert.equal(created.status, 201, created.text);
    const group = `${instance.url}/users/${created.body.slug}`;
    const author = await peer.actor("/uid/7", { type: "Person", preferredUsername: "zoe" });
    const post = `${peer.url}/post/${crypto.randomUUID()}`;
    const res = await peer.post(
      `${instance.url}/inbox`,
      {
        "@context": AS,
        id: `${post}#create`,
        type: "Create",
        actor: author,
        to: [PUBLIC, group],
        object: {
          id: post,
          type: "Page",
          name: "Bonjour",
          content: "<p>Je passe par là</p>",
          attributedTo: author,
          audience: group,
          to: [PUBLIC, group],
          published: new Date().toISOString(),
        },
      },
      author,
    );
    assert.equal(res.status, 202, await res.text());
    const reject = await waitFor("the group's Reject", async () =>
      peer.received.find((r) => r.body?.type === "Reject" && r.body.actor === group),
    );
    assert.match(String(reject.body!.content), /membres admis/);
    const stored = await instance.ctx.db
      .selectFrom("forum_posts")
      .select("id")
      .where("ap_id", "=", post)
      .executeTakeFirst();
    assert.equal(stored, undefined);
  });
});
