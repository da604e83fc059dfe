// What the tutorials module brings to federation: tutorials served as Articles at their URL, and
// the port through which published, edited and withdrawn tutorials reach the CMCAS's followers.
import type { FederationModule } from "../module.ts";
import { registerTutorialObjects } from "./tutorials.dispatcher.ts";
import { tutorialsPort } from "./tutorials.port.ts";

export const tutorialsFederation: FederationModule = {
  name: "tutorials",
  objects: registerTutorialObjects,
  ports: (runtime) => ({ tutorials: tutorialsPort(runtime) }),
};
