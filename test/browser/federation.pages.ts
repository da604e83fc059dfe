// Federation pages for the accessibility scan.
import type { PageSource } from "./harness.ts";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { saveNote } from "../../federation/notes/notes.repo.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { db } = instance.ctx;
  await db
    .updateTable("users")
    .set({ discoverable: true })
    .where("id", "=", users.member.user.id)
    .execute();
  const remote = await saveRemoteActor(db, {
    uri: "https://cmcas-lyon.example/users/cmcas",
    host: "cmcas-lyon.example",
    type: "Organization",
    username: "cmcas",
    name: "CMCAS de Lyon",
    summary: "<p>Activités sociales du Rhône</p>",
    url: "https://cmcas-lyon.example/users/cmcas",
    iconUrl: null,
    inbox: "https://cmcas-lyon.example/users/cmcas/inbox",
    sharedInbox: "https://cmcas-lyon.example/inbox",
    outbox: null,
    followersUrl: null,
  });
  await db
    .insertInto("federation_domains")
    .values({ domain: "cmcas-lyon.example", policy: "allow" })
    .onConflict((oc) => oc.column("domain").doNothing())
    .execute();
  await saveFollow(db, {
    localActor: users.member.user.id,
    localUserId: users.member.user.id,
    remoteActorId: remote.id,
    direction: "outgoing",
    state: "accepted",
    activityId: "https://example.invalid/activities/scan",
  });
  await saveNote(db, {
    uri: "https://cmcas-lyon.example/notes/1",
    actorId: remote.id,
    content: "<p>Sortie raquettes samedi : inscriptions ouvertes.</p>",
    summary: "",
    url: null,
    publishedAt: new Date(),
  });
  await db
    .insertInto("federation_deliveries")
    .values({
      id: crypto.randomUUID(),
      host: "cmcas-lyon.example",
      inbox: "https://cmcas-lyon.example/inbox",
      activity_id: "https://example.invalid/activities/scan",
      activity_type: "Create",
      status: "dead",
      attempts: 19,
      last_error: "fetch failed",
      message: JSON.stringify({}),
    })
    .execute();
  return [
    { path: "/users/cmcas", as: "anonymous" },
    { path: "/actor", as: "anonymous" },
    { path: `/users/${users.member.user.id}`, as: "anonymous" },
    { path: "/follows", as: "member" },
    { path: `/federation/actors/${remote.id}`, as: "member" },
    { path: "/admin/federation", as: "admin" },
    { path: "/admin/federation/deliveries", as: "admin" },
  ];
};
