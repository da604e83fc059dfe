// Loads the plugins of plugins/<name>/plugin.ts (and of other folders tests give). A plugin that
// throws while loading, says nothing usable about itself, wants another plugin API or clashes
// with a module already there is kept aside with the reason: the instance boots without it and
// tells (Modules page, /readyz). ADR 0061.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { manifestProblem } from "../server/modules/plugin.ts";
import type { ModuleInfo } from "../server/modules/registry.ts";
import type { Plugin } from "./plugin.ts";
import type { ModuleEntry } from "./modules.ts";

export const PLUGINS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../plugins");

export interface LoadedPlugins {
  /** The plugins that loaded, as module entries. */
  entries: ModuleEntry[];
  /** Every plugin found, loaded or not, for the module registry. */
  infos: ModuleInfo[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What keeps a loaded plugin from being used beside the modules already taken. */
function problem(
  plugin: Plugin,
  folder: string,
  taken: { names: Set<string>; jobs: Set<string> },
): string | undefined {
  const bad = manifestProblem(plugin?.manifest);
  if (bad) return bad;
  const { name } = plugin.manifest;
  if (name !== folder) return `manifest.name is ${name} but the folder is ${folder}`;
  if (taken.names.has(name)) return `a module named ${name} already exists`;
  for (const half of [plugin.module, plugin.federation])
    if (half && half.name !== name) return `its module is named ${half.name}, not ${name}`;
  const jobs = [
    ...Object.keys(plugin.module?.jobs ?? {}),
    ...Object.keys(plugin.federation?.jobs ?? {}),
  ];
  const clash = jobs.find((job) => taken.jobs.has(job));
  if (clash) return `job type ${clash} is declared by another module`;
  return undefined;
}

export async function loadPlugins(
  dirs: readonly string[],
  core: readonly ModuleEntry[],
): Promise<LoadedPlugins> {
  const taken = {
    names: new Set(
      core.flatMap((e) => [e.module?.name, e.federation?.name]).filter((n) => n !== undefined),
    ),
    jobs: new Set(
      core.flatMap((e) => [
        ...Object.keys(e.module?.jobs ?? {}),
        ...Object.keys(e.federation?.jobs ?? {}),
      ]),
    ),
  };
  const loaded: LoadedPlugins = { entries: [], infos: [] };
  for (const root of dirs) {
    if (!fs.existsSync(root)) continue;
    const folders = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, "plugin.ts")))
      .map((d) => d.name)
      .sort();
    for (const folder of folders) {
      const dir = path.join(root, folder);
      let plugin: Plugin | undefined;
      let error: string | undefined;
      try {
        const imported = (await import(pathToFileURL(path.join(dir, "plugin.ts")).href)) as {
          default?: Plugin;
        };
        plugin = imported.default;
        error = problem(plugin as Plugin, folder, taken);
      } catch (thrown) {
        error = `loading failed: ${message(thrown)}`;
      }
      const manifest = error === undefined ? plugin!.manifest : undefined;
      if (error !== undefined || !plugin) {
        loaded.infos.push({
          name: folder,
          plugin: { dir, ...(manifest ? { manifest } : {}), error: error ?? "no plugin" },
        });
        continue;
      }
      taken.names.add(folder);
      for (const job of [
        ...Object.keys(plugin.module?.jobs ?? {}),
        ...Object.keys(plugin.federation?.jobs ?? {}),
      ])
        taken.jobs.add(job);
      loaded.entries.push({
        ...(plugin.module ? { module: plugin.module } : {}),
        ...(plugin.federation ? { federation: plugin.federation } : {}),
      });
      loaded.infos.push({
        name: folder,
        plugin: { dir, manifest: plugin.manifest },
        ...(plugin.module?.migrations ? { migrations: plugin.module.migrations } : {}),
        ...(plugin.module?.settings ? { settings: plugin.module.settings } : {}),
      });
    }
  }
  return loaded;
}

/** The core modules as the registry sees them (always on; some bring settings or migrations). */
export function coreInfos(core: readonly ModuleEntry[]): ModuleInfo[] {
  return core.flatMap(({ module, federation }) => {
    const name = module?.name ?? federation?.name;
    if (!name) return [];
    return [
      {
        name,
        ...(module?.migrations ? { migrations: module.migrations } : {}),
        ...(module?.settings ? { settings: module.settings } : {}),
      },
    ];
  });
}
