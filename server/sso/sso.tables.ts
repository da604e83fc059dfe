import type { CreatedAt } from "../db/types.ts";

export interface SsoTables {
  sso_identities: {
    issuer: string;
    subject: string;
    user_id: string;
    created_at: CreatedAt;
    last_login_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends SsoTables {}
}
