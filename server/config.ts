// The only module that reads the environment. Everything else receives a Config.
import os from "node:os";
import path from "node:path";

export type FederationMode = "allowlist" | "open";
export type ProcessRole = "all" | "web" | "worker";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  port: number;
  host: string;
  publicUrl: URL;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  instanceName: string;
  federation: {
    mode: FederationMode;
    allowPrivateAddresses: boolean;
    allowedDomains: string[];
  };
  smtpUrl: string | undefined;
  mailFrom: string;
  hub: boolean;
  /** MAP_TILE_URL (or HUB_TILE_URL) and MAP_ATTRIBUTION: the map tiles; no URL, no map (a list). */
  map: { tileUrl: string; tileOrigin: string; attribution: string } | undefined;
  admin: { email: string; password: string } | undefined;
  role: ProcessRole;
  logLevel: LogLevel;
  /** LOG_FORMAT: readable lines for a person at a terminal, JSON lines for log collectors. */
  logFormat: "pretty" | "json";
  /** TIMEZONE: the one time zone every date of the instance is shown in (pages, mails, logs). */
  timezone: string;
  /** PAGE_CACHE_SECONDS: how long anonymous visitors' public pages are cached (0: not at all). */
  pageCacheSeconds: number;
  /** CARD_CACHE_SIZE: rendered offer cards kept in each process, by content (0: none; ADR 0158). */
  cardCacheSize: number;
  /** COMPRESS: gzip/brotli responses here; 0 where the reverse proxy compresses already. */
  compress: boolean;
  trustProxy: string;
  workerConcurrency: number;
  /**
   * WEB_PROCESSES: web processes sharing the port (node:cluster), a number or `auto` (one per
   * core). More than one needs PROCESS_ROLE=web, PostgreSQL and Redis (ADR 0155).
   */
  webProcesses: number;
  /** PLUGINS: plugins the operator keeps on (`name`) or off (`-name`), whatever the admins say. */
  plugins: { on: string[]; off: string[] };
  /** OpenID Connect sign-in (ADR 0097); undefined when OIDC_ISSUER is not set. */
  oidc: OidcConfig | undefined;
  /** `/metrics`: who may read it (ADR 0090). */
  metrics: { token: string | undefined; allow: string[]; port: number | undefined };
  /** Backups written by `npm run backup` and the scheduled job (ADR 0091). */
  backup: { dir: string; keep: number; everyHours: number };
}

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** The ID token claim holding the member number (links the member imported with it). */
  memberClaim: string;
  /** Whether the password form stays offered beside the provider. */
  passwords: boolean;
  /** Provider's name on the sign-in button. */
  name: string;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, expected: string, got: string | undefined) {
    super(
      `${variable}: expected ${expected}, got ${got === undefined ? "nothing" : JSON.stringify(got)}`,
    );
    this.name = "ConfigError";
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

function bool(env: Env, name: string): boolean {
  const raw = str(env, name);
  if (raw === undefined) return false;
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, "1 or 0 (true or false)", raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `one of ${allowed.join(", ")}`, raw);
  }
  return raw as T;
}

/**
 * Which proxies' X-Forwarded-For to believe. "true" (every hop) is refused: nginx appends the
 * client's address to whatever the client sent, so any client could choose its own address and
 * escape the rate limits. Name the proxy (addresses, CIDR ranges, loopback…) or count the hops.
 */
function trustProxy(env: Env): string {
  const raw = str(env, "TRUST_PROXY");
  if (raw === undefined) return "loopback";
  const item = /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/i;
  if (raw === "false" || /^\d{1,2}$/.test(raw)) return raw;
  if (raw.split(",").every((part) => item.test(part.trim()))) return raw;
  throw new ConfigError(
    "TRUST_PROXY",
    "the proxy's addresses or ranges (e.g. loopback, 172.28.0.1), a hop count, or false",
    raw,
  );
}

function timezone(env: Env): string {
  const raw = str(env, "TIMEZONE");
  if (raw === undefined) return "Europe/Paris";
  if (!Intl.supportedValuesOf("timeZone").includes(raw))
    throw new ConfigError("TIMEZONE", "an IANA time zone such as Europe/Paris", raw);
  return raw;
}

/** A tile URL template ({z}/{x}/{y}); its origin is the one image host the CSP then allows. */
function mapTiles(env: Env): Config["map"] {
  const name = str(env, "MAP_TILE_URL") !== undefined ? "MAP_TILE_URL" : "HUB_TILE_URL";
  const parsed = url(env, name, ["https:", "http:"]);
  if (!parsed) return undefined;
  const tileUrl = str(env, name)!;
  if (!["{z}", "{x}", "{y}"].every((p) => tileUrl.includes(p)))
    throw new ConfigError(name, "a tile URL template with {z}, {x} and {y}", tileUrl);
  return {
    tileUrl,
    tileOrigin: parsed.origin,
    attribution: str(env, "MAP_ATTRIBUTION") ?? "© OpenStreetMap contributors",
  };
}

function url(env: Env, name: string, protocols: readonly string[]): URL | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `a URL starting with ${protocols.join(" or ")}`, raw);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `a URL starting with ${protocols.join(" or ")}`, raw);
  }
  return parsed;
}

const DOMAIN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$/;
// An IPv4 or IPv6 address, optionally with a prefix length; net.BlockList checks it further.
const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:.]*)(?:\/\d{1,3})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `PLUGINS=reviews,-gallery`: each name keeps that plugin on, each `-name` keeps it off. */
function pluginSwitches(env: Env): { on: string[]; off: string[] } {
  const switches = { on: [] as string[], off: [] as string[] };
  for (const item of (str(env, "PLUGINS") ?? "").split(",")) {
    const entry = item.trim().toLowerCase();
    if (entry === "") continue;
    const off = entry.startsWith("-");
    const name = off ? entry.slice(1) : entry;
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name))
      throw new ConfigError("PLUGINS", "comma-separated plugin names, each maybe after -", entry);
    if (switches.on.includes(name) || switches.off.includes(name))
      throw new ConfigError("PLUGINS", "each plugin named once", entry);
    (off ? switches.off : switches.on).push(name);
  }
  return switches;
}

/**
 * Several web processes share sessions and rate limits only through PostgreSQL and Redis, and
 * PGlite's data directory belongs to one process: anything else is refused at boot.
 */
function webProcesses(env: Env, databaseUrl?: string, redisUrl?: string): number {
  const raw = str(env, "WEB_PROCESSES");
  const count =
    raw?.toLowerCase() === "auto" ? os.availableParallelism() : int(env, "WEB_PROCESSES", 1, 1, 64);
  if (count === 1) return 1;
  const expected = "1 (the default)";
  if (!databaseUrl)
    throw new ConfigError(
      "WEB_PROCESSES",
      `${expected} in embedded mode: the PGlite database belongs to one process; set DATABASE_URL and REDIS_URL to run several web processes`,
      raw,
    );
  if (!redisUrl)
    throw new ConfigError(
      "WEB_PROCESSES",
      `${expected} without REDIS_URL: rate limits are shared between processes in Redis`,
      raw,
    );
  if (oneOf(env, "PROCESS_ROLE", ["all", "web", "worker"] as const, "all") !== "web")
    throw new ConfigError(
      "WEB_PROCESSES",
      `${expected} unless PROCESS_ROLE=web: jobs run in PROCESS_ROLE=worker processes`,
      raw,
    );
  return count;
}

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, "PORT", 3000, 0, 65535);
  const publicUrl =
    url(env, "PUBLIC_URL", ["http:", "https:"]) ?? new URL(`http://localhost:${port}`);
  if (publicUrl.pathname !== "/" || publicUrl.search || publicUrl.hash) {
    throw new ConfigError(
      "PUBLIC_URL",
      "an origin without path, e.g. https://cmcas.example.fr",
      publicUrl.href,
    );
  }
  const databaseUrl = url(env, "DATABASE_URL", ["postgres:", "postgresql:"])?.href;
  const redisUrl = url(env, "REDIS_URL", ["redis:", "rediss:"])?.href;
  const smtpUrl = url(env, "SMTP_URL", ["smtp:", "smtps:"])?.href;

  const allowedDomains = (str(env, "FEDERATION_ALLOWED_DOMAINS") ?? "")
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== "");
  for (const domain of allowedDomains) {
    if (!DOMAIN.test(domain)) {
      throw new ConfigError(
        "FEDERATION_ALLOWED_DOMAINS",
        "comma-separated host[:port] names",
        domain,
      );
    }
  }

  const adminEmail = str(env, "ADMIN_EMAIL");
  const adminPassword = str(env, "ADMIN_PASSWORD");
  if (adminEmail !== undefined && !EMAIL.test(adminEmail)) {
    throw new ConfigError("ADMIN_EMAIL", "an e-mail address", adminEmail);
  }
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    throw new ConfigError(
      adminEmail === undefined ? "ADMIN_EMAIL" : "ADMIN_PASSWORD",
      "to be set together with " + (adminEmail === undefined ? "ADMIN_PASSWORD" : "ADMIN_EMAIL"),
      undefined,
    );
  }
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError("ADMIN_PASSWORD", "at least 10 characters", "(hidden)");
  }

  const oidcIssuer = url(env, "OIDC_ISSUER", ["https:", "http:"]);
  const oidcClientId = str(env, "OIDC_CLIENT_ID");
  const oidcClientSecret = str(env, "OIDC_CLIENT_SECRET");
  if (oidcIssuer && (!oidcClientId || !oidcClientSecret)) {
    throw new ConfigError(
      oidcClientId ? "OIDC_CLIENT_SECRET" : "OIDC_CLIENT_ID",
      "to be set with OIDC_ISSUER",
      undefined,
    );
  }
  const oidc =
    oidcIssuer && oidcClientId && oidcClientSecret
      ? {
          issuer: oidcIssuer,
          clientId: oidcClientId,
          clientSecret: oidcClientSecret,
          scopes: str(env, "OIDC_SCOPES") ?? "openid email profile",
          memberClaim: str(env, "OIDC_MEMBER_CLAIM") ?? "member_number",
          passwords: str(env, "OIDC_PASSWORDS") === undefined ? true : bool(env, "OIDC_PASSWORDS"),
          name: str(env, "OIDC_NAME") ?? "CCAS",
        }
      : undefined;
  const metricsToken = str(env, "METRICS_TOKEN");
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError("METRICS_TOKEN", "at least 16 characters", "(hidden)");
  }
  const metricsAllow = (str(env, "METRICS_ALLOW") ?? "127.0.0.1/8,::1/128")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  for (const entry of metricsAllow) {
    if (!CIDR.test(entry)) {
      throw new ConfigError("METRICS_ALLOW", "comma-separated addresses or CIDR ranges", entry);
    }
  }
  const dataDir = path.resolve(str(env, "DATA_DIR") ?? "./data");

  const mailFrom = str(env, "MAIL_FROM") ?? `Maillage <no-reply@${publicUrl.hostname}>`;

  return {
    port,
    host: str(env, "HOST") ?? "0.0.0.0",
    publicUrl,
    dataDir,
    databaseUrl,
    redisUrl,
    redisPrefix: str(env, "REDIS_PREFIX") ?? "maillage",
    instanceName: str(env, "INSTANCE_NAME") ?? "Maillage",
    federation: {
      mode: oneOf(env, "FEDERATION_MODE", ["allowlist", "open"] as const, "allowlist"),
      allowPrivateAddresses: bool(env, "FEDERATION_ALLOW_PRIVATE_ADDRESSES"),
      allowedDomains,
    },
    smtpUrl,
    mailFrom,
    hub: bool(env, "HUB"),
    map: mapTiles(env),
    admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    role: oneOf(env, "PROCESS_ROLE", ["all", "web", "worker"] as const, "all"),
    logLevel: oneOf(
      env,
      "LOG_LEVEL",
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const,
      "info",
    ),
    // In a terminal, outside production, people read the log; anywhere else, programs do.
    logFormat: oneOf(
      env,
      "LOG_FORMAT",
      ["pretty", "json"] as const,
      process.stdout.isTTY && env.NODE_ENV !== "production" ? "pretty" : "json",
    ),
    timezone: timezone(env),
    pageCacheSeconds: int(env, "PAGE_CACHE_SECONDS", 10, 0, 300),
    cardCacheSize: int(env, "CARD_CACHE_SIZE", 2000, 0, 100_000),
    compress: str(env, "COMPRESS") === undefined ? true : bool(env, "COMPRESS"),
    trustProxy: trustProxy(env),
    workerConcurrency: int(env, "WORKER_CONCURRENCY", 4, 1, 64),
    webProcesses: webProcesses(env, databaseUrl, redisUrl),
    plugins: pluginSwitches(env),
    oidc,
    metrics: {
      token: metricsToken,
      allow: metricsAllow,
      port:
        str(env, "METRICS_PORT") === undefined ? undefined : int(env, "METRICS_PORT", 0, 1, 65535),
    },
    backup: {
      dir: path.resolve(str(env, "BACKUP_DIR") ?? path.join(dataDir, "backups")),
      keep: int(env, "BACKUP_KEEP", 7, 1, 1000),
      everyHours: int(env, "BACKUP_EVERY_HOURS", 0, 0, 24 * 31),
    },
  };
}
