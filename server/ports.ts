// What the domains need from federation. Each domain owns the interface of its port, in its own
// folder, and adds it here by declaration merging:
//
//   declare module "../ports.ts" { interface FederationPorts { offers: OffersPort } }
//
// `federation/` implements the ports and the composition root (app/instance.ts) puts them in
// `ctx.ports`, so `server/` never imports `federation/` (ADR 0060).

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the domains
export interface FederationPorts {}
