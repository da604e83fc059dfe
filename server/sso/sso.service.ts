// OpenID Connect sign-in with openid-client: discovery once per process, the authorization code
// flow with PKCE, state and nonce kept in the session, and the account found or made from the ID
// token's claims (ADR 0097).
import * as client from "openid-client";
import { Agent, fetch as undiciFetch } from "undici";
import type { Db } from "../db/database.ts";
import type { OidcConfig } from "../config.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { usernames } from "../members-import/apply.ts";

export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

export type SsoError = "state" | "provider" | "claims";

let cached: { key: string; config: Promise<client.Configuration> } | undefined;

// The provider is the operator's choice, often on the CCAS's own network: its requests leave
// through an agent of their own, not through the federation's guard on outgoing requests (which
// refuses private addresses and unlisted hosts), with limits of their own. Made at the first
// request to a provider: processes and instances without single sign-on (workers, tools, most
// tests) never hold its sockets and timers.
let providerAgent: Agent | undefined;
const providerFetch: client.CustomFetch = (url, options) => {
  providerAgent ??= new Agent({
    connect: { timeout: 5_000 },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return undiciFetch(url, {
    ...options,
    dispatcher: providerAgent,
  } as never) as unknown as Promise<Response>;
};

/** The provider's configuration, discovered once (and again after a failure). */
export function providerConfig(oidc: OidcConfig): Promise<client.Configuration> {
  // The secret is part of the key: an admin who changes it gets a new client at once.
  const key = `${oidc.issuer.href} ${oidc.clientId} ${oidc.clientSecret}`;
  if (cached?.key !== key) {
    const config = client.discovery(
      oidc.issuer,
      oidc.clientId,
      undefined,
      client.ClientSecretBasic(oidc.clientSecret),
      // A provider on plain http is refused unless it is this machine (tests, a local proxy).
      {
        [client.customFetch]: providerFetch,
        ...(["localhost", "127.0.0.1"].includes(oidc.issuer.hostname)
          ? { execute: [client.allowInsecureRequests] }
          : {}),
      },
    );
    cached = { key, config };
    config.catch(() => {
      if (cached?.key === key) cached = undefined;
    });
  }
  return cached.config;
}

export async function startLogin(
  oidc: OidcConfig,
  redirectUri: string,
  returnTo: string,
): Promise<{ url: URL; pending: PendingLogin }> {
  const config = await providerConfig(oidc);
  const pending: PendingLogin = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    returnTo,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: oidc.scopes,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: "S256",
  });
  return { url, pending };
}

export interface SsoClaims {
  issuer: string;
  subject: string;
  email: string | undefined;
  name: string;
  memberNumber: string | undefined;
  idToken: string | undefined;
}

/** Exchanges the code; any mismatch (state, issuer, nonce, an expired or reused code) fails. */
export async function finishLogin(
  oidc: OidcConfig,
  currentUrl: URL,
  pending: PendingLogin | undefined,
): Promise<Result<SsoClaims, SsoError>> {
  if (!pending) return fail("state");
  const config = await providerConfig(oidc);
  let tokens;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    if (error instanceof client.ClientError || error instanceof client.ResponseBodyError)
      return fail(/state/i.test(error.message) ? "state" : "provider");
    // A 401 challenge from the token endpoint: our client id or secret is refused.
    if (
      error instanceof client.AuthorizationResponseError ||
      error instanceof client.WWWAuthenticateChallengeError
    )
      return fail("provider");
    throw error;
  }
  const claims = tokens.claims();
  if (!claims) return fail("claims");
  const email =
    typeof claims.email === "string" && claims.email_verified !== false
      ? claims.email.toLowerCase()
      : undefined;
  const number = claims[oidc.memberClaim];
  return ok({
    issuer: claims.iss,
    subject: claims.sub,
    email,
    name: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : claims.sub,
    memberNumber:
      typeof number === "string" || typeof number === "number"
        ? String(number).toUpperCase()
        : undefined,
    idToken: tokens.id_token,
  });
}

/**
 * The member behind these claims: the account already linked to this provider account, else the
 * one imported with this member number, else the one with this verified address, else a new one.
 */
export async function accountFor(
  db: Db,
  claims: SsoClaims,
): Promise<Result<{ userId: string; created: boolean }, "claims">> {
  const linked = await db
    .selectFrom("sso_identities")
    .select("user_id")
    .where("issuer", "=", claims.issuer)
    .where("subject", "=", claims.subject)
    .executeTakeFirst();
  if (linked) {
    await db
      .updateTable("sso_identities")
      .set({ last_login_at: new Date() })
      .where("issuer", "=", claims.issuer)
      .where("subject", "=", claims.subject)
      .execute();
    return ok({ userId: linked.user_id, created: false });
  }
  let userId: string | undefined;
  if (claims.memberNumber) {
    const record = await db
      .selectFrom("member_records")
      .select("user_id")
      .where("member_number", "=", claims.memberNumber)
      .executeTakeFirst();
    userId = record?.user_id ?? undefined;
  }
  if (!userId && claims.email) {
    const user = await db
      .selectFrom("users")
      .select("id")
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", claims.email!))
      .executeTakeFirst();
    userId = user?.id;
  }
  let created = false;
  if (!userId) {
    if (!claims.email) return fail("claims");
    const [first = claims.name, ...rest] = claims.name.split(/\s+/);
    const [username] = await usernames(db, [{ firstName: first, lastName: rest.join(" ") }]);
    const user = await db
      .insertInto("users")
      .values({
        email: claims.email,
        email_confirmed_at: new Date(),
        // Signs in through the provider; a password can be chosen later ("forgot password").
        password_hash: "!sso",
        username: username!,
        display_name: claims.name.slice(0, 80),
        notification_prefs: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    userId = user.id;
    created = true;
  }
  await db
    .insertInto("sso_identities")
    .values({ issuer: claims.issuer, subject: claims.subject, user_id: userId })
    .execute();
  return ok({ userId, created });
}

/** Where to send the browser to end the provider's session too, when it says it can. */
export async function endSessionUrl(
  oidc: OidcConfig,
  idToken: string,
  after: string,
): Promise<URL | undefined> {
  const config = await providerConfig(oidc);
  if (!config.serverMetadata().end_session_endpoint) return undefined;
  return client.buildEndSessionUrl(config, {
    id_token_hint: idToken,
    post_logout_redirect_uri: after,
  });
}
