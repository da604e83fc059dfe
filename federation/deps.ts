import type { AppContext } from "../server/context.ts";
import type { Deliveries } from "./delivery/deliveries.ts";
import type { ActorKeys } from "./keys.ts";
import type { LocalActors } from "./actors/local.ts";
import type { DomainPolicy } from "./policy.ts";

/** What the federation's dispatchers, listeners and jobs work with. */
export interface FederationDeps {
  app: AppContext;
  actors: LocalActors;
  keys: ActorKeys;
  policy: DomainPolicy;
  deliveries: Deliveries;
}
