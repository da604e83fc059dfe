// What account deletion needs from federation (ADR 0096): the member's actor is deleted on every
// instance that knew it. Called inside the deletion's transaction, before the account's rows go,
// so that the federation side can still read who followed the member.
import type { Tx } from "../db/transaction.ts";

export interface PrivacyPort {
  /** Sends `Delete` for the member's actor to the instances that knew it. */
  accountDeleted(tx: Tx, userId: string): Promise<void>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    privacy: PrivacyPort;
  }
}
