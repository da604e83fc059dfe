import type { Generated } from "kysely";
import type { CreatedAt } from "../../server/db/types.ts";

export interface MissionTables {
  missions: {
    id: Generated<string>;
    title: string;
    cause: string;
    organiser: string;
    description: Generated<string>;
    remote: Generated<boolean>;
    postal_code: string | null;
    city: Generated<string>;
    latitude: number | null;
    longitude: number | null;
    skills: Generated<string>;
    network: Generated<boolean>;
    created_by: string | null;
    status: Generated<"open" | "closed">;
    removed_reason: string | null;
    created_at: CreatedAt;
  };
  mission_slots: {
    mission_id: string;
    offer_id: string;
    duration_minutes: number;
  };
}

declare module "../../server/db/schema.ts" {
  interface Database extends MissionTables {}
}
