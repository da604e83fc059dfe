// Where the OpenID Connect configuration comes from (ADR 0092): the environment (OIDC_*, ADR
// 0097) when OIDC_ISSUER is set, else what an administrator saved in the pages. Read through a
// short cache, as the instance settings are, so each web process sees a change within seconds.
import type { OidcConfig } from "../config.ts";
import type { Db } from "../db/database.ts";

export const DEFAULT_SCOPES = "openid email profile";
export const DEFAULT_MEMBER_CLAIM = "member_number";
export const DEFAULT_LABEL = "CCAS";

/** What the admin page shows: never the secret itself, only whether one is stored. */
export interface SsoSettings {
  enabled: boolean;
  issuer: string;
  clientId: string;
  hasSecret: boolean;
  buttonLabel: string;
  scopes: string;
  memberClaim: string;
}

export interface SsoSettingsInput {
  enabled: boolean;
  issuer: string;
  clientId: string;
  /** Undefined keeps the stored secret (the field is write-only). */
  clientSecret: string | undefined;
  buttonLabel: string;
  scopes: string;
  memberClaim: string;
}

async function row(db: Db) {
  return db.selectFrom("sso_settings").selectAll().executeTakeFirst();
}

export async function readSsoSettings(db: Db): Promise<SsoSettings> {
  const r = await row(db);
  return {
    enabled: r?.enabled ?? false,
    issuer: r?.issuer ?? "",
    clientId: r?.client_id ?? "",
    hasSecret: Boolean(r?.client_secret),
    buttonLabel: r?.button_label ?? "",
    scopes: r?.scopes ?? "",
    memberClaim: r?.member_claim ?? "",
  };
}

const CACHE_MS = 5000;
const cache = new WeakMap<Db, { at: number; value: OidcConfig | undefined }>();

export async function saveSsoSettings(db: Db, input: SsoSettingsInput): Promise<void> {
  const values = {
    enabled: input.enabled,
    issuer: input.issuer || null,
    client_id: input.clientId || null,
    button_label: input.buttonLabel || null,
    scopes: input.scopes || null,
    member_claim: input.memberClaim || null,
    updated_at: new Date(),
    ...(input.clientSecret === undefined ? {} : { client_secret: input.clientSecret }),
  };
  await db
    .insertInto("sso_settings")
    .values({ id: true, ...values })
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
  cache.delete(db);
}

/** The stored settings as a configuration, when they are switched on and complete. */
async function fromDatabase(db: Db): Promise<OidcConfig | undefined> {
  const r = await row(db);
  if (!r?.enabled || !r.issuer || !r.client_id || !r.client_secret) return undefined;
  return {
    issuer: new URL(r.issuer),
    clientId: r.client_id,
    clientSecret: r.client_secret,
    scopes: r.scopes || DEFAULT_SCOPES,
    memberClaim: r.member_claim || DEFAULT_MEMBER_CLAIM,
    passwords: true,
    name: r.button_label || DEFAULT_LABEL,
  };
}

/** The configuration in force: the environment's, else the administrator's, else none. */
export async function currentOidc(ctx: {
  db: Db;
  config: { oidc: OidcConfig | undefined };
}): Promise<OidcConfig | undefined> {
  if (ctx.config.oidc) return ctx.config.oidc;
  const hit = cache.get(ctx.db);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = await fromDatabase(ctx.db);
  cache.set(ctx.db, { at: Date.now(), value });
  return value;
}
