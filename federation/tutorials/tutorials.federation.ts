// What the tutorials module brings to federation: tutorials served as Articles at their URL, the
// port through which published, edited and withdrawn tutorials reach the CMCAS's followers, and
// the inbox routes keeping the tutorials of the CMCAS we follow.
import type { FederationModule } from "../module.ts";
import { registerTutorialObjects } from "./tutorials.dispatcher.ts";
import { tutorialsPort } from "./tutorials.port.ts";
import { tutorialsInbox } from "./tutorials.inbox.ts";

export const tutorialsFederation: FederationModule = {
  name: "tutorials",
  objects: registerTutorialObjects,
  ports: (runtime) => ({ tutorials: tutorialsPort(runtime) }),
  inbox: tutorialsInbox,
};
