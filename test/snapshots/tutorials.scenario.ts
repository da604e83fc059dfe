// The tutorials part of the wire snapshot scenario: B's CMCAS follows A's; Tina of A publishes a
// tutorial with two steps and an image (its Create of an Article, and the Article as served);
// Bea of B comments on it, shows that she made it and votes it useful, then takes the vote back
// (Notes in reply to the Article, a Like and its Undo, all sent to A). Then Bea, who took part
// in an offer of A that has ended, adds a photo to its album (a Note in reply to the Event, sent
// to A), and A's staff remove it (a Delete of that Note from A's CMCAS, sent to Bea).
import assert from "node:assert/strict";
import { loggedIn } from "../support/accounts.ts";
import { csrfFrom, submit } from "../support/web.ts";
import { api, waitFor, type Peer } from "../federation/harness.ts";
import { makeOffer, myRegistration, remoteCopy } from "../federation/offers-support.ts";
import { createMember } from "../support/accounts.ts";
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

  await albumOnTheWire(a, b, capture, labels, { bea, reader });
}

async function albumOnTheWire(
  a: Peer,
  b: Peer,
  capture: Capture,
  labels: Map<string, string>,
  { bea, reader }: { bea: { token: string }; reader: Awaited<ReturnType<typeof loggedIn>> },
) {
  const staff = await createMember(a.instance, "staff");
  const offer = await makeOffer(a.instance, staff.user.id, { title: "Randonnée au lac" });
  labels.set(offer.id, "album-offer");
  const copy = await remoteCopy(b, a, offer.id);
  labels.set(copy.id, "album-offer-copy");
  const booked = await api(b, bea.token).post(`/offers/${copy.id}/registrations`, { persons: 1 });
  assert.equal(booked.status, 202, booked.text);
  await waitFor("A's answer on B", async () => {
    const mine = await myRegistration(b, bea.token, copy.id);
    return mine?.status === "confirmed";
  });
  const past = { starts_at: new Date(Date.now() - 3 * 3600_000), ends_at: new Date() };
  await a.instance.ctx.db.updateTable("offers").set(past).where("id", "=", offer.id).execute();
  await b.instance.ctx.db.updateTable("offers").set(past).where("id", "=", copy.id).execute();

  let since = capture.mark();
  const page = await reader.get(`/offers/${copy.id}`);
  const added = await reader
    .post(`/offers/${copy.id}/album`)
    .field("_csrf", csrfFrom(page.text))
    .field("alt", "Le groupe devant le lac")
    .field("caption", "Au bord du lac")
    .field("public", "on")
    .attach("image", await photo(), { filename: "lac.jpg", contentType: "image/jpeg" });
  assert.equal(added.status, 303, added.text);
  const onB = await b.instance.ctx.db
    .selectFrom("offer_album_photos")
    .select("id")
    .where("offer_id", "=", copy.id)
    .executeTakeFirstOrThrow();
  labels.set(onB.id, "album-photo");
  await capture.sent("sent/create-note-album-photo", since, a, shape("Create", "Note"));

  const onA = await waitFor("the photo on A", () =>
    a.instance.ctx.db
      .selectFrom("offer_album_photos")
      .select("id")
      .where("offer_id", "=", offer.id)
      .executeTakeFirst(),
  );
  since = capture.mark();
  const staffAgent = await loggedIn(a.instance, staff);
  const offerPage = await staffAgent.get(`/offers/${offer.id}`);
  const removed = await staffAgent
    .post(`/offers/${offer.id}/album/${onA.id}/remove`)
    .type("form")
    .send({ _csrf: csrfFrom(offerPage.text), reason: "Une personne ne souhaite pas y figurer" });
  assert.equal(removed.status, 303, removed.text);
  await capture.sent("sent/delete-album-note", since, b, shape("Delete"));
}
