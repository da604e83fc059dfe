// What a plugin says about itself (plugins/<name>/plugin.ts exports it with its modules), and the
// plugin API's version. The loader (app/plugins.ts) refuses a plugin whose `api` is not this
// major version; docs/plugins.md says what the version promises.

/** Bumped only when a plugin written for the previous version could stop working. */
export const PLUGIN_API_VERSION = 1;

export interface PluginManifest {
  /** Its folder's name and its modules' name: lower case letters, digits and dashes. */
  name: string;
  /** The plugin's own version (semver), shown on the Modules page. */
  version: string;
  /** The plugin API version it was written for (PLUGIN_API_VERSION). */
  api: number;
  label: { fr: string; en: string };
  description: { fr: string; en: string };
  /** Whether it runs on an instance whose administrators never switched it. */
  enabledByDefault: boolean;
}

export const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Why a manifest cannot be used, or undefined when it can. */
export function manifestProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "the plugin exports no manifest";
  const m = value as Partial<Record<keyof PluginManifest, unknown>>;
  const text = (v: unknown) => typeof v === "string" && v.trim() !== "";
  const pair = (v: unknown) =>
    typeof v === "object" &&
    v !== null &&
    text((v as { fr?: unknown }).fr) &&
    text((v as { en?: unknown }).en);
  if (typeof m.name !== "string" || !PLUGIN_NAME.test(m.name))
    return "manifest.name is not a plugin name";
  if (typeof m.version !== "string" || !/^\d+\.\d+\.\d+/.test(m.version))
    return "manifest.version is not a version (1.2.3)";
  if (typeof m.api !== "number") return "manifest.api is not a number";
  if (m.api !== PLUGIN_API_VERSION)
    return `written for plugin API ${m.api}; this Maillage offers plugin API ${PLUGIN_API_VERSION}`;
  if (!pair(m.label)) return "manifest.label needs fr and en";
  if (!pair(m.description)) return "manifest.description needs fr and en";
  if (typeof m.enabledByDefault !== "boolean") return "manifest.enabledByDefault is not a boolean";
  return undefined;
}
