import type { Generated } from "kysely";
import type { CreatedAt } from "../../server/db/types.ts";

export type HousingKind = "offer" | "request";
export type Housing = "room" | "flatshare" | "short_stay";
export type Purpose = "mobility" | "training" | "young_hire" | "other";

export interface HousingTables {
  housing_listings: {
    id: Generated<string>;
    user_id: string | null;
    kind: HousingKind;
    housing: Housing;
    purpose: Purpose;
    title: string;
    description: Generated<string>;
    conditions: Generated<string>;
    /** Dates as text ("2026-12-24"), so that no timezone moves them. */
    from_date: string;
    to_date: string | null;
    postal_code: string;
    commune: string;
    rent_cents: Generated<number>;
    status: Generated<"open" | "taken" | "closed">;
    removed_reason: string | null;
    created_at: CreatedAt;
  };
}

declare module "../../server/db/schema.ts" {
  interface Database extends HousingTables {}
}
