import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp } from "../../server/db/types.ts";

export interface ReviewTables {
  offer_reviews: {
    id: Generated<string>;
    offer_id: string;
    user_id: string;
    rating: number;
    comment: Generated<string>;
    hidden_at: NullableTimestamp;
    hidden_reason: string | null;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  offer_review_moderation: {
    id: Generated<string>;
    review_id: string;
    moderator_id: string | null;
    action: "hide" | "show";
    reason: string;
    created_at: CreatedAt;
  };
}

declare module "../../server/db/schema.ts" {
  interface Database extends ReviewTables {}
}
