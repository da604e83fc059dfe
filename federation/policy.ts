// Which instances this one federates with. In allowlist mode only allowed domains; in open mode
// everyone but blocked domains. A block also covers subdomains; an allow names one host[:port].
// Read on every inbox POST and delivery, so the list is cached for a few seconds (other processes
// see an admin's change within that delay; this process at once).
import type { Db } from "../server/db/database.ts";
import type { FederationMode } from "../server/config.ts";
import type { DomainPolicyKind } from "./federation.tables.ts";

const CACHE_MS = 5000;
const DOMAIN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$/;

export interface DomainRule {
  domain: string;
  policy: DomainPolicyKind;
  source: "config" | "admin" | "hub";
  createdAt: Date;
  updatedAt: Date;
}

/** `host[:port]` from what an admin typed: a bare host, a URL or a handle's domain part. */
export function normalizeDomain(input: string): string | undefined {
  let value = input.trim().toLowerCase().replace(/\.$/, "");
  if (value.includes("://")) {
    try {
      value = new URL(value).host;
    } catch {
      return undefined;
    }
  }
  return DOMAIN.test(value) ? value : undefined;
}

export class DomainPolicy {
  readonly mode: FederationMode;
  readonly #db: Db;
  readonly #ownHost: string;
  #rules: Map<string, DomainPolicyKind> | undefined;
  #loadedAt = 0;

  constructor(db: Db, mode: FederationMode, ownHost: string) {
    this.#db = db;
    this.mode = mode;
    this.#ownHost = ownHost.toLowerCase();
  }

  /** Adds the configured domains as allowed, leaving alone those an admin already ruled on. */
  async bootstrap(domains: readonly string[]): Promise<void> {
    if (domains.length === 0) return;
    await this.#db
      .insertInto("federation_domains")
      .values(domains.map((domain) => ({ domain, policy: "allow" as const, source: "config" })))
      .onConflict((oc) => oc.column("domain").doNothing())
      .execute();
    this.#rules = undefined;
  }

  async allows(hostOrUrl: string | URL): Promise<boolean> {
    let host: string;
    try {
      host =
        typeof hostOrUrl === "string" && !hostOrUrl.includes("://")
          ? hostOrUrl.toLowerCase()
          : new URL(hostOrUrl).host.toLowerCase();
    } catch {
      return false;
    }
    if (host === this.#ownHost) return true;
    const rules = await this.#load();
    const hostname = host.replace(/:\d+$/, "");
    for (const [domain, policy] of rules) {
      if (policy !== "block") continue;
      if (domain === host || domain === hostname || hostname.endsWith(`.${domain}`)) return false;
    }
    return this.mode === "open" || rules.get(host) === "allow";
  }

  async list(): Promise<DomainRule[]> {
    const rows = await this.#db
      .selectFrom("federation_domains")
      .selectAll()
      .orderBy("policy")
      .orderBy("domain")
      .execute();
    return rows.map((r) => ({
      domain: r.domain,
      policy: r.policy,
      source: r.source,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async set(domain: string, policy: DomainPolicyKind, userId: string | null): Promise<void> {
    await this.#db
      .insertInto("federation_domains")
      .values({ domain, policy, source: "admin", created_by: userId })
      .onConflict((oc) =>
        oc.column("domain").doUpdateSet({ policy, source: "admin", updated_at: new Date() }),
      )
      .execute();
    this.#rules = undefined;
  }

  /**
   * Keeps the domains the trusted network list names allowed, and only those (ADR 0120): a domain
   * the list dropped loses its "hub" rule, and a domain an admin or the configuration ruled on is
   * left as they ruled (their allow or block wins over the list).
   */
  async syncNetwork(domains: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
    const wanted = new Set(domains.filter((d) => d !== this.#ownHost));
    const result = await this.#db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom("federation_domains")
        .select(["domain", "source"])
        .execute();
      const hub = current.filter((r) => r.source === "hub").map((r) => r.domain);
      const removed = hub.filter((d) => !wanted.has(d));
      const known = new Set(current.map((r) => r.domain));
      const added = [...wanted].filter((d) => !known.has(d));
      if (removed.length > 0)
        await trx
          .deleteFrom("federation_domains")
          .where("source", "=", "hub")
          .where("domain", "in", removed)
          .execute();
      if (added.length > 0)
        await trx
          .insertInto("federation_domains")
          .values(
            added.map((domain) => ({ domain, policy: "allow" as const, source: "hub" as const })),
          )
          .onConflict((oc) => oc.column("domain").doNothing())
          .execute();
      return { added, removed };
    });
    this.#rules = undefined;
    return result;
  }

  /** Allows one domain on the network's behalf (the hub one asks to join), unless ruled on. */
  async allowForNetwork(domain: string): Promise<void> {
    await this.#db
      .insertInto("federation_domains")
      .values({ domain, policy: "allow", source: "hub" })
      .onConflict((oc) => oc.column("domain").doNothing())
      .execute();
    this.#rules = undefined;
  }

  async remove(domain: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom("federation_domains")
      .where("domain", "=", domain)
      .executeTakeFirst();
    this.#rules = undefined;
    return Number(result.numDeletedRows) > 0;
  }

  async #load(): Promise<Map<string, DomainPolicyKind>> {
    if (this.#rules && Date.now() - this.#loadedAt < CACHE_MS) return this.#rules;
    const rows = await this.#db
      .selectFrom("federation_domains")
      .select(["domain", "policy"])
      .execute();
    this.#rules = new Map(rows.map((r) => [r.domain, r.policy]));
    this.#loadedAt = Date.now();
    return this.#rules;
  }
}
