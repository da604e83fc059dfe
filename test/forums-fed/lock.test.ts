// A moderator of one of our federated groups locks a topic, then reopens it: the group announces
// Lemmy's `Lock`, then `Undo(Lock)`, and the instances following the group do the same.
import assert from "node:assert/strict";
import {
  api,
  member,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";
import { followGroupOfB, openTopicOnB } from "./support.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("forums federation: locking a topic of a federated group", function () {
  this.timeout(180_000);
  let net: Network;
  let a: Peer;
  let b: Peer;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    a = net.a!;
    b = net.b!;
  });
  after(() => stopNetwork(net));

  it("a lock on B's group's topic locks it on A, and an unlock reopens it", async () => {
    const onA = await member(a, true);
    const group = await followGroupOfB(a, b, onA.token, { name: "Pêche", slug: "peche" });
    const topic = await openTopicOnB(a, b, onA.token, group, {
      title: "Ouverture de la truite",
      content: "Rendez-vous au lac.",
    });
    const topicOnA = topic.onA;
    const isLocked = async () =>
      (await api(a, onA.token).get(`/topics/${topicOnA.id}`)).body.topic.locked as boolean;
    assert.equal(await isLocked(), false);

    const locked = await api(b).post(`/topics/${topic.onB}/lock`, {
      reason: "Sortie annulée",
    });
    assert.equal(locked.status, 204, locked.text);
    await waitFor("the lock on A", isLocked);
    const refused = await api(a, onA.token).post(`/topics/${topicOnA.id}/replies`, {
      content: "Dommage !",
    });
    assert.equal(refused.status, 409, refused.text);

    const unlocked = await api(b).post(`/topics/${topic.onB}/unlock`, {
      reason: "Sortie maintenue",
    });
    assert.equal(unlocked.status, 204, unlocked.text);
    await waitFor("the unlock on A", async () => !(await isLocked()));
    const replied = await api(a, onA.token).post(`/topics/${topicOnA.id}/replies`, {
      content: "J'y serai.",
    });
    assert.equal(replied.status, 201, replied.text);
    const log = await api(a, onA.token).get(`/groups/${group.onA}/moderation-log`);
    const reasons = (log.body.items as Json[]).map((e) => e.reason);
    assert.ok(reasons.includes("Sortie annulée"), JSON.stringify(log.body));
    assert.ok(reasons.includes("Sortie maintenue"), JSON.stringify(log.body));
  });
});
