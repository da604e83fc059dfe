// Every change of a tutorial runs through here, so that other instances hear of it in the same
// transaction (the activities leave after commit): compared before and after, a tutorial that
// comes out (published, not local) is a Create, one that stays out an Update, one that goes back
// (draft, removed, made local) a Delete carrying the removal reason. ADR 0115.
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/transaction.ts";

type Seen = { status: string; visibility: string; removal_reason: string | null } | undefined;

const out = (t: Seen) => t !== undefined && t.status === "published" && t.visibility !== "local";

function state(tx: Tx, id: string): Promise<Seen> {
  return tx.db
    .selectFrom("tutorials")
    .select(["status", "visibility", "removal_reason"])
    .where("id", "=", id)
    .executeTakeFirst();
}

const failed = (r: unknown) =>
  typeof r === "object" && r !== null && "ok" in r && (r as { ok: unknown }).ok === false;

export function changeTutorial<T>(
  ctx: Pick<AppContext, "transaction" | "ports">,
  tutorialId: string,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return ctx.transaction(async (tx) => {
    const before = await state(tx, tutorialId);
    const result = await work(tx);
    const port = ctx.ports.tutorials;
    if (failed(result) || !port) return result;
    const after = await state(tx, tutorialId);
    if (out(after)) {
      if (out(before)) await port.updated(tx, tutorialId);
      else await port.published(tx, tutorialId);
    } else if (out(before) && before) {
      // Made local: the others forget it as for a removal; the visibility they knew decides
      // who hears.
      await port.withdrawn(
        tx,
        { id: tutorialId, visibility: before.visibility },
        after?.status === "removed" ? after.removal_reason : null,
      );
    }
    return result;
  });
}
