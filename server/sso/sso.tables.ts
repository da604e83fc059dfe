import type { Generated } from "kysely";
import type { CreatedAt } from "../db/types.ts";

export interface SsoTables {
  sso_identities: {
    issuer: string;
    subject: string;
    user_id: string;
    created_at: CreatedAt;
    last_login_at: CreatedAt;
  };
  /** Set by an administrator (migrations/0092); the environment wins when OIDC_ISSUER is set. */
  sso_settings: {
    id: Generated<boolean>;
    enabled: boolean;
    issuer: string | null;
    client_id: string | null;
    client_secret: string | null;
    button_label: string | null;
    scopes: string | null;
    member_claim: string | null;
    updated_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends SsoTables {}
}
