// Command line: `start` (migrate, then serve and run jobs), `migrate`, and the operators'
// commands of app/cli.ts (bin/commands.ts dispatches).
//
// Node's compile cache keeps the compiled code of every module loaded after this line (and the
// TypeScript with its types stripped) between runs, so a restart spends about a third less time
// loading code (ADR 0153). It lives in the system's temporary folder, or in NODE_COMPILE_CACHE;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. It has to be turned on before the commands' imports,
// hence this file of its own.
import module from "node:module";

module.enableCompileCache?.();
await import("./commands.ts");
