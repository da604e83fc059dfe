// The import rules of ADR 0060 and 0062, checked by `npm run check` (`npm run check:layers`):
// - server/ never imports federation/ (the domains reach federation through their ports);
// - server/ and federation/ never import plugins/ nor app/ (ADR 0061);
// - no import cycle crosses folders (a cycle inside one folder is that folder's business).
// Type-only imports count: they tie the folders together all the same.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "server-imports-federation",
      comment:
        "server/ never imports federation/: a domain declares what it needs from federation in " +
        "its port (server/<domain>/<domain>.port.ts), federation/ implements it (ADR 0062).",
      severity: "error",
      from: { path: "^server/" },
      to: { path: "^federation/" },
    },
    {
      name: "core-imports-plugins-or-app",
      comment:
        "server/ and federation/ never import plugins/ nor app/: plugins plug into the core " +
        "through the module contract, and app/ (the composition root) loads them (ADR 0061).",
      severity: "error",
      from: { path: "^(server|federation)/" },
      to: { path: "^(plugins|app)/" },
    },
    {
      name: "cycle-across-folders",
      comment:
        "An import cycle through files of more than one folder: break it by moving the shared " +
        "part where both can import it (ADR 0062).",
      severity: "error",
      from: { path: "^(.+)/[^/]+$" },
      to: { circular: true, viaSomeNot: "^$1/[^/]+$" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
