// What carpooling needs from federation (ADR 0146), called inside the transaction that changed
// the ride so the activity leaves after commit (outbox) and never for a rolled-back change. The
// plugin's federation half (covoiturage.federation.ts) implements it; the composition root puts
// it in `ctx.ports.covoiturage`. Only rides marked "visible au réseau" are told.
import type { Tx } from "../../server/db/transaction.ts";

export interface RidesPort {
  /** A network ride is open (new, or shown again by a moderator): a Create to the followers. */
  published(tx: Tx, rideId: string): Promise<void>;
  /** A network ride other instances hold is gone (closed, removed, its author left): a Delete. */
  withdrawn(tx: Tx, rideId: string): Promise<void>;
}

declare module "../../server/ports.ts" {
  interface FederationPorts {
    covoiturage?: RidesPort;
  }
}
