// What consultations need from federation (ADR 0130, 0131): a network consultation opened or
// closed goes out as a Question (Create, then Update with the counts), and a member's answer to
// another instance's consultation goes to its organiser as a signed vote. `federation/consultations`
// implements it; the composition root puts it in `ctx.ports.consultations`.
import type { Tx } from "../db/transaction.ts";
import type { Answers } from "./consultations.tables.ts";
import type { RemoteQuestion } from "./network.tables.ts";

export interface NetworkVoteOut {
  consultationUri: string;
  organiserUri: string;
  token: string;
  answers: Answers;
  /** The only question, when there is one: its choice is also the vote Note's `name`. */
  poll?: RemoteQuestion;
}

export interface ConsultationsPort {
  opened(tx: Tx, consultationId: string): Promise<void>;
  /** Closed, or its response published: an Update carrying the counts. */
  closed(tx: Tx, consultationId: string): Promise<void>;
  /** Sends a member's vote to the organiser; the id of the activity sent. */
  voted?(tx: Tx, vote: NetworkVoteOut): Promise<string>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    consultations?: ConsultationsPort;
  }
}
