// Helpers of the offers federation suites: B's staff publish through the service (as the staff
// pages do), A's members read their catalogue and registrations through the API.
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { makeOffer } from "../offers/support.ts";
import { createMember } from "../support/accounts.ts";
import { api, waitFor, type Peer } from "./harness.ts";

export { makeOffer };

export interface RemoteCard {
  id: string;
  title: string;
  capacity: number;
  placesLeft: number;
  status: string;
  origin: string;
  territory?: { name: string; host: string; uri: string };
}

/** The copy of B's offer `offerId` in A's catalogue, once it has arrived. */
export async function remoteCopy(a: Peer, b: Peer, offerId: string): Promise<RemoteCard> {
  const uri = `${b.url}/offers/${offerId}`;
  return waitFor(`offer ${offerId} in ${a.name}'s catalogue`, async () => {
    const res = await api(a).get("/offers?origin=remote&perPage=100");
    return (res.body.items as RemoteCard[]).find((o) => o.territory?.uri === uri);
  });
}

export interface MyRegistration {
  id: string;
  offerId: string;
  status: string;
  position: number | null;
  reasonCode: string | null;
}

export async function myRegistration(peer: Peer, token: string, offerId: string) {
  const res = await api(peer, token).get("/me/registrations");
  return (res.body as MyRegistration[]).find((r) => r.offerId === offerId);
}

/** Registrations of an offer by status, read from an instance's database. */
export async function countsOf(peer: Peer, offerId: string) {
  const rows = await peer.instance.ctx.db
    .selectFrom("offer_registrations")
    .select(["status", "persons", "user_id", "actor_url"])
    .where("offer_id", "=", offerId)
    .execute();
  const count = (status: string) =>
    rows.filter((r) => r.status === status).reduce((n, r) => n + r.persons, 0);
  return {
    confirmed: count("confirmed"),
    waitlisted: count("waitlisted"),
    pending: count("pending"),
    rows,
  };
}

/** A member with an API token, made without the token route (rate-limited per address). */
export async function memberOf(peer: Peer, discoverable: boolean) {
  const m = await createMember(peer.instance);
  const { db } = peer.instance.ctx;
  if (discoverable)
    await db.updateTable("users").set({ discoverable: true }).where("id", "=", m.user.id).execute();
  const { token } = await issueApiToken(db, m.user.id, "test");
  return { ...m, token };
}
