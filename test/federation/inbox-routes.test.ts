// The inbox dispatcher's rules (ADR 0062), with routes of its own on a real instance: routes are
// chosen by activity type and object type, every route of a pair runs whatever the order they
// were declared in, fallbacks run only when no other route took the activity, a module switched
// off is skipped, types Fedify does not know reach their route, the object is resolved once, and
// a failure to read it is logged with the activity's id and the reason.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { Activity, Create, Join, Note, Undo } from "@fedify/vocab";
import pino from "pino";
import type { FederationRuntime } from "../../federation/deps.ts";
import { inboxDispatcher, type ModuleRoute } from "../../federation/inbox/dispatch.ts";
import type { InboxInput, InboxRoute } from "../../federation/inbox/route.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const SENDER = "https://remote.example/users/alice";

describe("federation: inbox routes", function () {
  this.timeout(60_000);
  let instance: TestInstance;
  let runtime: FederationRuntime;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    instance = await startTestInstance({ env: { FEDERATION_ALLOWED_DOMAINS: "remote.example" } });
    runtime = instance.federation;
  });
  after(() => instance?.destroy());

  /** A dispatcher over these routes, on the instance's database and policy, logging to `lines`. */
  const dispatcher = (routes: ModuleRoute[], isEnabled?: (module: string) => boolean) => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pino({ level: "debug" }, stream);
    const deps = { ...runtime, app: { ...runtime.app, log } };
    const dispatch = inboxDispatcher(deps, routes, isEnabled ? { isEnabled } : {});
    return (activity: Activity, payload?: Record<string, unknown>) =>
      dispatch(runtime.context(), activity, payload);
  };

  /** A route that records what it saw and takes the activity (or not). */
  const recorder = (
    name: string,
    key: Pick<InboxRoute, "activity" | "object" | "fallback">,
    seen: InboxInput[],
    takes = true,
  ): InboxRoute => ({
    name,
    ...key,
    async handle(input) {
      seen.push(input);
      return takes;
    },
  });

  const note = (to = "https://www.w3.org/ns/activitystreams#Public") =>
    new Create({
      id: new URL(`https://remote.example/activities/${crypto.randomUUID()}`),
      actor: new URL(SENDER),
      object: new Note({
        id: new URL(`https://remote.example/notes/${crypto.randomUUID()}`),
        attribution: new URL(SENDER),
        to: new URL(to),
        content: "<p>Bonjour</p>",
      }),
    });

  it("runs every route of the pair, in whatever order they were declared", async () => {
    for (const order of [
      ["a", "b"],
      ["b", "a"],
    ]) {
      const seen: InboxInput[] = [];
      const routes = order.map((module) => ({
        module,
        route: recorder(`${module}.note`, { activity: "Create", object: "Note" }, seen),
      }));
      routes.push({
        module: "c",
        route: recorder("c.event", { activity: "Create", object: "Event" }, seen),
      });
      const took = await dispatcher(routes)(note());
      assert.deepEqual([...took].sort(), ["a.note", "b.note"]);
      assert.deepEqual(
        seen.map((input) => [input.type, input.objectType]),
        [
          ["Create", "Note"],
          ["Create", "Note"],
        ],
      );
    }
  });

  it("runs a fallback only when no other route of the pair took the activity", async () => {
    const seen: InboxInput[] = [];
    const routes = (primaryTakes: boolean): ModuleRoute[] => [
      {
        module: "forums",
        route: recorder("forums.post", { activity: "Create", object: "Note" }, seen, primaryTakes),
      },
      {
        module: "notes",
        route: recorder("notes.note", { activity: "Create", object: "*", fallback: true }, seen),
      },
    ];
    assert.deepEqual(await dispatcher(routes(true))(note()), ["forums.post"]);
    assert.deepEqual(await dispatcher(routes(false))(note()), ["notes.note"]);
  });

  it("skips the routes of a module switched off, and says so", async () => {
    const seen: InboxInput[] = [];
    const took = await dispatcher(
      [
        { module: "on", route: recorder("on.note", { activity: "Create", object: "Note" }, seen) },
        { module: "off", route: recorder("off.note", { activity: "Create", object: "*" }, seen) },
      ],
      (module) => module !== "off",
    )(note());
    assert.deepEqual(took, ["on.note"]);
    assert.ok(lines.some((l) => l.route === "off.note" && /switched off/.test(String(l.msg))));
  });

  it("brings types Fedify's vocabulary lacks to their route (Lemmy's Lock), with the object's type", async () => {
    const payload = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: "https://remote.example/activities/lock/1",
      type: "Lock",
      actor: SENDER,
      object: "https://remote.example/post/1",
    };
    const lock = await Activity.fromJsonLd(payload, runtime.context());
    const seen: InboxInput[] = [];
    const routes = [
      { module: "forums", route: recorder("forums.lock", { activity: "Lock", object: "*" }, seen) },
    ];
    assert.deepEqual(await dispatcher(routes)(lock, payload), ["forums.lock"]);
    assert.equal(seen[0]!.type, "Lock");
    // Objects of a Lock are references: nothing was fetched to learn their type.
    assert.equal(seen[0]!.objectType, undefined);

    const undo = new Undo({
      id: new URL("https://remote.example/activities/undo/1"),
      actor: new URL(SENDER),
      object: lock,
    });
    const undone: InboxInput[] = [];
    const undoRoutes = [
      {
        module: "f",
        route: recorder("f.unfollow", { activity: "Undo", object: "Follow" }, undone),
      },
      { module: "g", route: recorder("g.unlock", { activity: "Undo", object: "Lock" }, undone) },
    ];
    const undoPayload = { ...((await undo.toJsonLd()) as object), object: payload };
    assert.deepEqual(await dispatcher(undoRoutes)(undo, undoPayload), ["g.unlock"]);
  });

  it("knows the type of our own objects without fetching them", async () => {
    const join = new Join({
      id: new URL("https://remote.example/activities/join/1"),
      actor: new URL(SENDER),
      object: new URL(`/offers/${crypto.randomUUID()}`, instance.url),
    });
    const seen: InboxInput[] = [];
    const routes = [
      {
        module: "offers",
        route: recorder("offers.join", { activity: "Join", object: "Event" }, seen),
      },
    ];
    assert.deepEqual(await dispatcher(routes)(join), ["offers.join"]);
  });

  it("resolves the object once for all routes, and logs why it could not be read", async () => {
    const id = "https://remote.example/activities/create/unreachable";
    // Embedded with another origin: read from its own id, which cannot be reached here.
    const create = await Create.fromJsonLd(
      {
        "@context": "https://www.w3.org/ns/activitystreams",
        id,
        type: "Create",
        actor: SENDER,
        object: { id: "https://elsewhere.example/notes/1", type: "Note", content: "x" },
      },
      runtime.context(),
    );
    let reads = 0;
    const getObject = create.getObject.bind(create);
    create.getObject = (options) => {
      reads++;
      return getObject(options);
    };
    const objects: unknown[] = [];
    const reader = (name: string): ModuleRoute => ({
      module: name,
      route: {
        name,
        activity: "Create",
        object: "Note",
        async handle(input) {
          objects.push(await input.object());
          return true;
        },
      },
    });
    const took = await dispatcher([reader("a"), reader("b")])(create);
    assert.deepEqual([...took].sort(), ["a", "b"]);
    assert.deepEqual(objects, [null, null]);
    assert.equal(reads, 1);
    const failure = lines.find((l) => l.activity === id && /object.*failed/.test(String(l.msg)));
    assert.ok(failure, "the failure is logged with the activity's id");
    assert.equal(typeof failure.err, "string");
  });
});
