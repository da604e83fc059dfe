// The only module that reads the environment. Everything else receives a Config.
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
  admin: { email: string; password: string } | undefined;
  role: ProcessRole;
  logLevel: LogLevel;
  trustProxy: string;
  workerConcurrency: number;
  /** `/metrics`: who may read it (ADR 0090). */
  metrics: { token: string | undefined; allow: string[]; port: number | undefined };
  /** Backups written by `npm run backup` and the scheduled job (ADR 0091). */
  backup: { dir: string; keep: number; everyHours: number };
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
    admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    role: oneOf(env, "PROCESS_ROLE", ["all", "web", "worker"] as const, "all"),
    logLevel: oneOf(
      env,
      "LOG_LEVEL",
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const,
      "info",
    ),
    trustProxy: str(env, "TRUST_PROXY") ?? "loopback",
    workerConcurrency: int(env, "WORKER_CONCURRENCY", 4, 1, 64),
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
