// What tutorials need from federation, called by the routes inside the transaction that changed
// the tutorial, so the activities leave after commit (outbox) and never for a rolled-back change.
// `federation/tutorials` implements it; the composition root puts it in `ctx.ports.tutorials`.
import type { Tx } from "../db/transaction.ts";

export interface TutorialsPort {
  /** A tutorial was published (or published again): the CMCAS's followers get a Create. */
  published(tx: Tx, tutorialId: string): Promise<void>;
  /** A published tutorial, its steps or its images changed (Update). */
  updated(tx: Tx, tutorialId: string): Promise<void>;
  /**
   * A tutorial other instances saw is gone (removed by staff, or back to draft): a Delete of its
   * Tombstone, with the reason, if any, as the Delete's `summary`.
   */
  withdrawn(
    tx: Tx,
    tutorial: { id: string; visibility: string },
    reason: string | null,
  ): Promise<void>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    tutorials?: TutorialsPort;
  }
}
