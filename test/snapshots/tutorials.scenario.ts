// The tutorials part of the wire snapshot scenario: B's CMCAS follows A's; Tina of A publishes a
// tutorial with two steps and an image (its Create of an Article, and the Article as served);
// Bea of B comments on it, shows that she made it and votes it useful, then takes the vote back
// (Notes in reply to the Article, a Like and its Undo, all sent to A).
import assert from "node:assert/strict";
import { loggedIn } from "../support/accounts.ts";
import { csrfFrom, submit } from "../support/web.ts";
import { api, waitFor, type Peer } from "../federation/harness.ts";
import {
  addStep,
  newTutorial,
  photo,
  publish,
  stepIds,
  uploadStepImage,
} from "../tutorials/support.ts";
import { account, shape, type Capture, type Json } from "./capture.ts";

const PASSWORD = "un mot de passe solide";
// A made-it post is the Note tagged #JeLaiFait (one tag is compacted to an object, not a list).
const made = (body: Json) =>
  shape("Create", "Note")(body) &&
  [body.object.tag ?? []].flat().some((t: Json) => t?.name === "#JeLaiFait");

export async function tutorialsOnTheWire(
  a: Peer,
  b: Peer,
  capture: Capture,
  labels: Map<string, string>,
): Promise<void> {
  const followed = await api(b).post("/follows", { target: `@cmcas@${a.host}`, as: "cmcas" });
  assert.equal(followed.status, 201, followed.text);
  await waitFor("B to record A's Accept", async () =>
    ((await api(b).get("/follows?as=cmcas")).body as Json[]).some(
      (f) => f.state === "accepted" && JSON.stringify(f).includes(a.host),
    ),
  );

  const tina = await account(a, "tina", "Tina Leroy");
  labels.set(tina.user.id, tina.username);
  const author = await loggedIn(a.instance, { email: "tina@exemple.fr", password: PASSWORD });
  let since = capture.mark();
  const id = await newTutorial(a.instance, author, {
    title: "Un nichoir à mésanges",
    summary: "Six planches et une après-midi",
    tags: "nichoir, bois",
    duration: 180,
    cost: 15,
  });
  labels.set(id, "tutorial");
  await addStep(author, id, "Couper les planches", "Six planches de sapin brut.");
  await addStep(author, id, "Assembler", "Vis inox, pas de colle.");
  const [first] = await stepIds(a.instance, id);
  labels.set(first!.id, "step");
  const up = await uploadStepImage(author, id, first!.id, "Six planches découpées", await photo());
  assert.equal(up.status, 303, up.text);
  assert.equal((await publish(author, id)).status, 303);
  await capture.sent("sent/create-article", since, b, shape("Create", "Article"));
  await capture.served("served/article", a, `/tutorials/${id}`);

  const copy = await waitFor("the tutorial on B", async () =>
    b.instance.ctx.db
      .selectFrom("tutorials")
      .select("id")
      .where("remote_uri", "like", `%/tutorials/${id}`)
      .executeTakeFirst(),
  );
  const bea = await account(b, "bea", "Béatrice Roux");
  labels.set(bea.user.id, bea.username);
  const reader = await loggedIn(b.instance, { email: "bea@exemple.fr", password: PASSWORD });
  const page = `/tutorials/${copy.id}`;

  since = capture.mark();
  const commented = await submit(reader, page, `${page}/comments`, {
    text: "Quel diamètre pour le trou d'envol ?",
  });
  assert.equal(commented.status, 303, commented.text);
  await capture.sent(
    "sent/create-note-tutorial-comment",
    since,
    a,
    (body) => shape("Create", "Note")(body) && !made(body),
  );

  since = capture.mark();
  const form = await reader.get(page);
  const madeIt = await reader
    .post(`${page}/made`)
    .field("_csrf", csrfFrom(form.text))
    .field("body", "Posé au printemps, déjà occupé !")
    .field("alt", "Un nichoir en sapin accroché à un chêne")
    .attach("image", await photo(), { filename: "nichoir.jpg", contentType: "image/jpeg" });
  assert.equal(madeIt.status, 303, madeIt.text);
  await capture.sent("sent/create-note-tutorial-made", since, a, made);

  since = capture.mark();
  const useful = await submit(reader, page, `${page}/useful`, { on: "1" });
  assert.equal(useful.status, 303, useful.text);
  await capture.sent("sent/like-article", since, a, shape("Like"));

  since = capture.mark();
  const taken = await submit(reader, page, `${page}/useful`, { on: "0" });
  assert.equal(taken.status, 303, taken.text);
  await capture.sent("sent/undo-like-article", since, a, shape("Undo", "Like"));
}
