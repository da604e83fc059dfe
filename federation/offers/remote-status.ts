// What our members see of their registrations on other instances' offers.
import type { Db } from "../../server/db/database.ts";

/** The reason the home instance gave when it last refused this member on this offer. */
export async function lastRefusal(
  db: Db,
  offerId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("offer_registrations")
    .select(["refusal", "status"])
    .where("offer_id", "=", offerId)
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.status === "cancelled" && row.refusal ? row.refusal : undefined;
}

/** The territories whose offers are in our catalogue, for its filter. */
export async function territories(db: Db): Promise<{ host: string; name: string }[]> {
  return db
    .selectFrom("federation_remote_actors as a")
    .select(["a.host", "a.name"])
    .where((eb) =>
      eb.exists(
        eb.selectFrom("offers as o").select("o.id").whereRef("o.remote_actor_id", "=", "a.id"),
      ),
    )
    .orderBy("a.name")
    .execute();
}

/** The rank on the home instance's waiting list, as it last told us. */
export async function remotePosition(db: Db, registrationId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom("offer_registrations")
    .select("remote_position")
    .where("id", "=", registrationId)
    .executeTakeFirst();
  return row?.remote_position ?? undefined;
}
