import type { Generated } from "kysely";
import type { CreatedAt } from "../db/types.ts";

export type RegistrationMode = "open" | "invitation" | "closed";

export interface InstanceTables {
  instance_settings: {
    id: Generated<number>;
    name: string;
    description: Generated<string>;
    territory: Generated<string>;
    contact_email: Generated<string>;
    logo: Buffer | null;
    logo_type: string | null;
    accent_color: Generated<string>;
    registration_mode: Generated<RegistrationMode>;
    session_secret: string;
    updated_at: CreatedAt;
  };
  slvies: {
    id: Generated<string>;
    name: string;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends InstanceTables {}
}
