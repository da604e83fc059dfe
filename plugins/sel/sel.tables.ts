import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp } from "../../server/db/types.ts";

export type SelKind = "offer" | "want";
export type ExchangeStatus = "proposed" | "confirmed" | "refused" | "cancelled";

export interface SelTables {
  sel_listings: {
    id: Generated<string>;
    user_id: string | null;
    kind: SelKind;
    category: string;
    title: string;
    description: Generated<string>;
    status: Generated<"open" | "closed">;
    removed_reason: string | null;
    created_at: CreatedAt;
  };
  sel_accounts: {
    id: Generated<string>;
    user_id: string | null;
    balance_minutes: Generated<number>;
    created_at: CreatedAt;
  };
  sel_exchanges: {
    id: Generated<string>;
    listing_id: string | null;
    provider_id: string | null;
    receiver_id: string | null;
    proposed_by: string | null;
    minutes: number;
    description: string;
    status: Generated<ExchangeStatus>;
    refusal: string | null;
    created_at: CreatedAt;
    decided_at: NullableTimestamp;
  };
  sel_ledger: {
    id: Generated<string>;
    exchange_id: string;
    account_id: string;
    minutes: number;
    created_at: CreatedAt;
  };
}

declare module "../../server/db/schema.ts" {
  interface Database extends SelTables {}
}
