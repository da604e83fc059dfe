// The plugin contract (ADR 0061, docs/plugins.md): a plugin is a folder plugins/<name>/ whose
// plugin.ts exports, as default, its manifest and the same module halves a core module has.
import type { Module } from "../server/modules/module.ts";
import type { FederationModule } from "../federation/module.ts";
import type { PluginManifest } from "../server/modules/plugin.ts";

export { PLUGIN_API_VERSION, type PluginManifest } from "../server/modules/plugin.ts";

export interface Plugin {
  manifest: PluginManifest;
  /** Its pages, API, jobs, migrations, settings, slots; named as the manifest. */
  module?: Module;
  /** Its inbox routes, objects, actors and federation jobs; named as the manifest. */
  federation?: FederationModule;
}

/** Types a plugin's default export (nothing else: the loader checks it again at run time). */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}
