// Exchanges of time and the ledger. One member proposes an exchange (who gave the service, who
// received it, how long); the other confirms it, and only then is it written: two ledger lines,
// +minutes to who gave and -minutes to who received, and both balances, in one transaction. So
// the ledger always sums to zero. Confirmation takes the exchange's row lock, then both accounts'
// row locks in a fixed order (SELECT … FOR UPDATE): concurrent confirmations touching one member
// are served one after the other, each reading the balance the previous one left, and the lower
// limit of a balance is never crossed.
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import { notify } from "../../server/notifications/notifications.service.ts";
import { isUuid } from "../../server/offers/offers.repo.ts";
import "./sel.tables.ts";

export const MAX_MINUTES = 6000;

export interface LedgerDeps {
  publicUrl: URL;
}

export type ProposeError = "not_found" | "self" | "minutes" | "description" | "closed";

/** Proposes an exchange about a listing: its kind says who gives and who receives. */
export async function proposeExchange(
  tx: Tx,
  deps: LedgerDeps,
  input: { listingId: string; userId: string; minutes: number; description: string },
): Promise<Result<{ id: string }, ProposeError>> {
  if (!isUuid(input.listingId)) return fail("not_found");
  const listing = await tx.db
    .selectFrom("sel_listings")
    .select(["id", "user_id", "kind", "title", "status", "removed_reason"])
    .where("id", "=", input.listingId)
    .executeTakeFirst();
  if (!listing || listing.user_id === null) return fail("not_found");
  if (listing.status !== "open" || listing.removed_reason !== null) return fail("closed");
  if (listing.user_id === input.userId) return fail("self");
  if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > MAX_MINUTES)
    return fail("minutes");
  const description = input.description.trim();
  if (description.length < 3 || description.length > 500) return fail("description");
  // An offer: its author gave the service. A request: its author received it.
  const [provider, receiver] =
    listing.kind === "offer" ? [listing.user_id, input.userId] : [input.userId, listing.user_id];
  const row = await tx.db
    .insertInto("sel_exchanges")
    .values({
      listing_id: listing.id,
      provider_id: provider,
      receiver_id: receiver,
      proposed_by: input.userId,
      minutes: input.minutes,
      description,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await notify(tx, deps.publicUrl, {
    userId: listing.user_id,
    kind: "sel:proposed",
    data: { title: listing.title, hours: formatHours(input.minutes) },
    link: "/sel/exchanges",
  });
  return ok({ id: row.id });
}

export function formatHours(minutes: number): string {
  const sign = minutes < 0 ? "-" : "";
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `${sign}${h} h${m ? ` ${String(m).padStart(2, "0")}` : ""}`;
}

async function lockAccount(tx: Tx, userId: string) {
  return tx.db
    .selectFrom("sel_accounts")
    .select(["id", "balance_minutes"])
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export type ConfirmError = "not_found" | "not_yours" | "decided" | "limit";

/**
 * The other member confirms (or refuses) an exchange proposed to them. `lowerLimitMinutes` is the
 * lowest balance the receiver may reach (-20 h: -1200).
 */
export async function decideExchange(
  tx: Tx,
  deps: LedgerDeps,
  input: { exchangeId: string; userId: string; accept: boolean; lowerLimitMinutes: number },
): Promise<Result<void, ConfirmError>> {
  if (!isUuid(input.exchangeId)) return fail("not_found");
  const exchange = await tx.db
    .selectFrom("sel_exchanges")
    .selectAll()
    .where("id", "=", input.exchangeId)
    .forUpdate()
    .executeTakeFirst();
  if (!exchange || exchange.provider_id === null || exchange.receiver_id === null)
    return fail("not_found");
  const parties = [exchange.provider_id, exchange.receiver_id];
  if (!parties.includes(input.userId)) return fail("not_found");
  // Who proposed agreed already; the other confirms. Both members have then said yes.
  if (exchange.proposed_by === input.userId) return fail("not_yours");
  if (exchange.status !== "proposed") return fail("decided");
  const now = new Date();
  if (!input.accept) {
    await tx.db
      .updateTable("sel_exchanges")
      .set({ status: "refused", decided_at: now })
      .where("id", "=", exchange.id)
      .execute();
    return ok(undefined);
  }
  await tx.db
    .insertInto("sel_accounts")
    .values(parties.map((user_id) => ({ user_id })))
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  // A fixed order (by user id) so two confirmations never wait on each other crosswise.
  const locked = new Map<string, { id: string; balance_minutes: number }>();
  for (const userId of [...parties].sort()) locked.set(userId, await lockAccount(tx, userId));
  const provider = locked.get(exchange.provider_id)!;
  const receiver = locked.get(exchange.receiver_id)!;
  if (receiver.balance_minutes - exchange.minutes < input.lowerLimitMinutes)
    return fail("limit", {
      balance: formatHours(receiver.balance_minutes),
      limit: formatHours(input.lowerLimitMinutes),
    });
  await tx.db
    .insertInto("sel_ledger")
    .values([
      { exchange_id: exchange.id, account_id: provider.id, minutes: exchange.minutes },
      { exchange_id: exchange.id, account_id: receiver.id, minutes: -exchange.minutes },
    ])
    .execute();
  await tx.db
    .updateTable("sel_accounts")
    .set({ balance_minutes: provider.balance_minutes + exchange.minutes })
    .where("id", "=", provider.id)
    .execute();
  await tx.db
    .updateTable("sel_accounts")
    .set({ balance_minutes: receiver.balance_minutes - exchange.minutes })
    .where("id", "=", receiver.id)
    .execute();
  await tx.db
    .updateTable("sel_exchanges")
    .set({ status: "confirmed", decided_at: now })
    .where("id", "=", exchange.id)
    .execute();
  if (exchange.proposed_by)
    await notify(tx, deps.publicUrl, {
      userId: exchange.proposed_by,
      kind: "sel:confirmed",
      data: { hours: formatHours(exchange.minutes) },
      link: "/sel/exchanges",
    });
  return ok(undefined);
}

/** The proposer withdraws an exchange not yet confirmed. */
export async function cancelExchange(
  db: Db,
  input: { exchangeId: string; userId: string },
): Promise<Result<void, "not_found">> {
  if (!isUuid(input.exchangeId)) return fail("not_found");
  const done = await db
    .updateTable("sel_exchanges")
    .set({ status: "cancelled", decided_at: new Date() })
    .where("id", "=", input.exchangeId)
    .where("proposed_by", "=", input.userId)
    .where("status", "=", "proposed")
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0 ? ok(undefined) : fail("not_found");
}

export async function balanceOf(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom("sel_accounts")
    .select("balance_minutes")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.balance_minutes ?? 0;
}

/** A member's exchanges (proposed, confirmed, refused), newest first, seen from their side. */
export async function history(db: Db, userId: string) {
  const rows = await db
    .selectFrom("sel_exchanges as e")
    .leftJoin("users as p", "p.id", "e.provider_id")
    .leftJoin("users as r", "r.id", "e.receiver_id")
    .leftJoin("sel_listings as l", "l.id", "e.listing_id")
    .select([
      "e.id",
      "e.minutes",
      "e.description",
      "e.status",
      "e.created_at",
      "e.decided_at",
      "e.provider_id",
      "e.proposed_by",
      "p.display_name as provider",
      "r.display_name as receiver",
      "l.title as listing",
    ])
    .where((eb) => eb.or([eb("e.provider_id", "=", userId), eb("e.receiver_id", "=", userId)]))
    .orderBy("e.created_at", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => {
    const gave = r.provider_id === userId;
    return {
      ...r,
      gave,
      other: (gave ? r.receiver : r.provider) ?? "—",
      signed: formatHours(gave ? r.minutes : -r.minutes),
      toConfirm: r.status === "proposed" && r.proposed_by !== userId,
      mineProposed: r.status === "proposed" && r.proposed_by === userId,
    };
  });
}

/** The whole ledger for the administrators: its lines, each account's balance, and the sum. */
export async function ledger(db: Db) {
  const [lines, accounts, sum] = await Promise.all([
    db
      .selectFrom("sel_ledger as g")
      .innerJoin("sel_accounts as a", "a.id", "g.account_id")
      .leftJoin("users as u", "u.id", "a.user_id")
      .innerJoin("sel_exchanges as e", "e.id", "g.exchange_id")
      .select(["g.id", "g.minutes", "g.created_at", "u.display_name as member", "e.description"])
      .orderBy("g.created_at", "desc")
      .orderBy("g.minutes", "desc")
      .limit(500)
      .execute(),
    db
      .selectFrom("sel_accounts as a")
      .leftJoin("users as u", "u.id", "a.user_id")
      .select(["a.id", "a.balance_minutes", "u.display_name as member"])
      .orderBy("a.balance_minutes")
      .execute(),
    db
      .selectFrom("sel_ledger")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("minutes"), eb.lit(0)).as("total"))
      .executeTakeFirstOrThrow(),
  ]);
  return { lines, accounts, total: Number(sum.total) };
}
