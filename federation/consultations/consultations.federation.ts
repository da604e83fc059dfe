// What consultations bring to federation (ADR 0131): network consultations served as Questions
// at their URL, the port through which they are published and votes are sent, and the inbox
// routes keeping the network's consultations and counting the votes other instances send.
import type { FederationModule } from "../module.ts";
import { consultationsInbox } from "./consultations.inbox.ts";
import { consultationsPort } from "./consultations.port.ts";
import { consultationQuestions } from "./consultations.dispatcher.ts";

export const consultationsFederation: FederationModule = {
  name: "consultations",
  questions: consultationQuestions,
  ports: (runtime) => ({ consultations: consultationsPort(runtime) }),
  inbox: consultationsInbox,
};
