// Which modules an instance has, which plugins are on, and each module's settings. Core modules
// are always on; a plugin is on when the operator's PLUGINS says so, else when an administrator
// switched it on (module_states), else when its manifest says so by default. A plugin that could
// not be loaded is listed with its error and stays off (ADR 0061).
import type express from "express";
import type { Logger } from "pino";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { migrate, MIGRATIONS_DIR, type ModuleMigrations } from "../db/migrate.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import type { FieldError } from "../http/errors.ts";
import { compileForm, fieldErrors } from "../http/validate.ts";
import type { ModuleSettings, SlotContent } from "./settings.ts";
import type { PluginManifest } from "./plugin.ts";
import "./modules.tables.ts";

export interface ModuleInfo {
  name: string;
  /** Present for plugins; `error` when it could not be loaded (then it stays off). */
  plugin?: { dir: string; manifest?: PluginManifest; error?: string };
  migrations?: string;
  settings?: ModuleSettings;
}

export interface PluginSwitches {
  /** Plugins the operator keeps on (PLUGINS=name) or off (PLUGINS=-name): not switchable. */
  on: readonly string[];
  off: readonly string[];
}

/** A module's slot filler, given the context already (server/modules/module.ts: SlotFiller). */
type Filler = (
  req: express.Request,
  subject: Record<string, unknown>,
) => Promise<SlotContent | undefined>;

type Saved = (previous: Record<string, unknown>, saved: Record<string, unknown>) => Promise<void>;

interface State {
  enabled: boolean | null;
  settings: Record<string, unknown>;
}

const CACHE_MS = 5000;

export class ModuleRegistry {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #switches: PluginSwitches;
  readonly #infos = new Map<string, ModuleInfo>();
  #states = new Map<string, State>();
  #at = 0;
  #slots: { module: string; slot: string; fill: Filler }[] = [];
  #closers: { module: string; close: (tx: Tx, userId: string) => Promise<void> }[] = [];
  #saved: { module: string; saved: Saved }[] = [];

  constructor(db: Db, log: Logger, switches: PluginSwitches, infos: readonly ModuleInfo[]) {
    this.#db = db;
    this.#log = log;
    this.#switches = switches;
    // The loader (app/plugins.ts) refuses a plugin named like a module already listed.
    for (const info of infos) this.#infos.set(info.name, info);
  }

  /** Reads the stored states (the cache lives a few seconds so other processes follow). */
  async refresh(): Promise<void> {
    const rows = await this.#db.selectFrom("module_states").selectAll().execute();
    this.#states = new Map(rows.map((r) => [r.name, { enabled: r.enabled, settings: r.settings }]));
    this.#at = Date.now();
  }

  async fresh(): Promise<void> {
    if (Date.now() - this.#at >= CACHE_MS) await this.refresh();
  }

  info(name: string): ModuleInfo | undefined {
    return this.#infos.get(name);
  }

  list(): ModuleInfo[] {
    return [...this.#infos.values()];
  }

  /** Who decides: the operator's PLUGINS, an administrator, or the manifest's default. */
  decidedBy(name: string): "core" | "broken" | "operator" | "admin" | "default" {
    const info = this.#infos.get(name);
    if (!info?.plugin) return "core";
    if (info.plugin.error || !info.plugin.manifest) return "broken";
    if (this.#switches.on.includes(name) || this.#switches.off.includes(name)) return "operator";
    return this.#states.get(name)?.enabled != null ? "admin" : "default";
  }

  /** Synchronous, from the cache: pages, routes, jobs and inbox routes ask it on every use. */
  isEnabled(name: string): boolean {
    const info = this.#infos.get(name);
    if (!info?.plugin) return true;
    if (info.plugin.error || !info.plugin.manifest) return false;
    if (this.#switches.off.includes(name)) return false;
    if (this.#switches.on.includes(name)) return true;
    return this.#states.get(name)?.enabled ?? info.plugin.manifest.enabledByDefault;
  }

  /** Plugins that failed to load, with the reason (the Modules page and /readyz show them). */
  failures(): { name: string; error: string }[] {
    return this.list().flatMap((i) =>
      i.plugin?.error ? [{ name: i.name, error: i.plugin.error }] : [],
    );
  }

  /** The migrations folders of the modules that are on (those of plugins off wait). */
  migrations(): ModuleMigrations[] {
    return this.list().flatMap((i) =>
      i.migrations && this.isEnabled(i.name) ? [{ module: i.name, dir: i.migrations }] : [],
    );
  }

  /**
   * Switches a plugin on or off for the instance. On: its pending migrations are applied first,
   * so it never runs on tables it does not have yet. Off: nothing is deleted.
   */
  async setEnabled(
    name: string,
    enabled: boolean,
    by: string | null,
  ): Promise<Result<void, "not_found" | "operator" | "broken">> {
    const decided = this.decidedBy(name);
    if (decided === "core") return fail("not_found");
    if (decided === "broken") return fail("broken");
    if (decided === "operator") return fail("operator");
    const info = this.#infos.get(name)!;
    if (enabled && info.migrations) {
      const applied = await migrate(this.#db, null, [{ module: name, dir: info.migrations }]);
      if (applied.length > 0)
        this.#log.info({ module: name, migrations: applied.map((m) => m.version) }, "migrated");
    }
    await this.#db
      .insertInto("module_states")
      .values({ name, enabled, updated_by: by })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({ enabled, updated_by: by, updated_at: new Date() }),
      )
      .execute();
    this.#log.info({ module: name, enabled, by }, "plugin switched");
    await this.refresh();
    return ok(undefined);
  }

  /** A module's settings: what was saved over its schema's defaults. */
  settings(name: string): Record<string, unknown> {
    const schema = this.#infos.get(name)?.settings?.schema;
    const defaults = Object.fromEntries(
      Object.entries(schema?.properties ?? {}).flatMap(([key, s]) =>
        s.default === undefined ? [] : [[key, s.default]],
      ),
    );
    return { ...defaults, ...this.#states.get(name)?.settings };
  }

  /** Checks a form's values against the module's schema, and saves them. */
  async saveSettings(
    name: string,
    form: Record<string, unknown>,
    by: string | null,
  ): Promise<Result<Record<string, unknown>, "not_found" | "invalid">> {
    const schema = this.#infos.get(name)?.settings?.schema;
    if (!schema) return fail("not_found");
    // A checkbox left unticked sends nothing: it means false.
    const values: Record<string, unknown> = { ...form };
    for (const [key, s] of Object.entries(schema.properties))
      if (s.type === "boolean") values[key] = form[key] === "on" || form[key] === "true";
      else if (values[key] === "") delete values[key];
    const validate = compileForm<Record<string, unknown>>({
      ...schema,
      additionalProperties: false,
    });
    if (!validate(values))
      return fail("invalid", { errors: fieldErrors(validate.errors) satisfies FieldError[] });
    const json = JSON.stringify(values);
    await this.refresh();
    const previous = this.settings(name);
    await this.#db
      .insertInto("module_states")
      .values({ name, enabled: null, settings: json, updated_by: by })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({ settings: json, updated_by: by, updated_at: new Date() }),
      )
      .execute();
    await this.refresh();
    // Written (no transaction here): the modules' reactions run after, and cannot undo it.
    for (const hook of this.#saved.filter((h) => h.module === name))
      await hook.saved(previous, this.settings(name)).catch((err: unknown) => {
        this.#log.error({ err, module: name }, "reacting to saved settings");
      });
    return ok(values);
  }

  /** Remembers the slots the web modules fill (their module may be switched later). */
  attach(
    modules: readonly {
      name: string;
      slots?: Record<string, Filler>;
      accountClosed?: (tx: Tx, userId: string) => Promise<void>;
      settingsSaved?: Saved;
    }[],
  ): void {
    this.#slots = modules.flatMap((m) =>
      Object.entries(m.slots ?? {}).map(([slot, fill]) => ({ module: m.name, slot, fill })),
    );
    this.#closers = modules.flatMap((m) =>
      m.accountClosed ? [{ module: m.name, close: m.accountClosed }] : [],
    );
    this.#saved = modules.flatMap((m) =>
      m.settingsSaved ? [{ module: m.name, saved: m.settingsSaved }] : [],
    );
  }

  /**
   * Asks every module to close what a member being deleted published. A plugin switched off
   * still closes its listings when its tables exist (it was on once): they are kept while off.
   */
  async accountClosed(tx: Tx, userId: string): Promise<void> {
    for (const c of this.#closers) {
      const info = this.#infos.get(c.module);
      if (info?.plugin) {
        if (info.plugin.error || !info.plugin.manifest) continue;
        const applied = await tx.db
          .selectFrom("module_migrations")
          .select("version")
          .where("module", "=", c.module)
          .executeTakeFirst();
        if (!applied && info.migrations) continue;
      }
      await c.close(tx, userId);
    }
  }

  /** What the modules that are on put in a slot, in module order. */
  async fill(
    slot: string,
    req: express.Request,
    subject: Record<string, unknown>,
  ): Promise<SlotContent[]> {
    const filled: SlotContent[] = [];
    for (const s of this.#slots)
      if (s.slot === slot && this.isEnabled(s.module)) {
        const content = await s.fill(req, subject);
        if (content) filled.push(content);
      }
    return filled;
  }
}

/**
 * Opens the registry and, unless told not to, applies the core's pending migrations and those of
 * the modules that are on, in one transaction under the migrations' lock.
 */
export async function openModules(
  db: Db,
  log: Logger,
  switches: PluginSwitches,
  infos: readonly ModuleInfo[],
  options: { migrate: boolean },
): Promise<ModuleRegistry> {
  const registry = new ModuleRegistry(db, log, switches, infos);
  // A database not migrated yet has no module_states: no plugin was switched, manifests decide.
  await registry.refresh().catch(() => {});
  if (options.migrate) {
    const applied = await migrate(db, MIGRATIONS_DIR, registry.migrations());
    if (applied.length > 0)
      log.info(
        { migrations: applied.map((m) => (m.module ? `${m.module}/${m.version}` : m.version)) },
        "migrations applied",
      );
    await registry.refresh();
  }
  for (const failure of registry.failures())
    log.error({ plugin: failure.name, err: failure.error }, "plugin not loaded");
  for (const name of [...switches.on, ...switches.off])
    if (!registry.info(name)?.plugin) log.warn({ plugin: name }, "PLUGINS names no plugin");
  return registry;
}
