import type { Generated } from "kysely";
import type { CreatedAt } from "../../server/db/types.ts";

export type RideKind = "offer" | "request";

export interface RideTables {
  rides: {
    id: Generated<string>;
    user_id: string | null;
    kind: RideKind;
    days: Generated<number>;
    /** A date ("2026-12-24"), kept as text so that no timezone moves it. */
    ride_date: string | null;
    depart_minutes: number;
    window_minutes: Generated<number>;
    from_code: string;
    from_commune: string;
    from_lat: number;
    from_lon: number;
    to_code: string;
    to_commune: string;
    to_lat: number;
    to_lon: number;
    seats: Generated<number>;
    detour_km: Generated<number>;
    contribution_cents: Generated<number>;
    note: Generated<string>;
    offer_id: string | null;
    network: Generated<boolean>;
    status: Generated<"open" | "closed">;
    removed_reason: string | null;
    created_at: CreatedAt;
  };
  /** Rides of the CMCAS we follow (ADR 0146): no author here, contact is on their instance. */
  remote_rides: {
    id: Generated<string>;
    uri: string;
    url: string;
    remote_actor_id: number;
    territory: string;
    kind: RideKind;
    days: number;
    ride_date: string | null;
    depart_minutes: number;
    window_minutes: number;
    from_code: string;
    from_commune: string;
    from_lat: number;
    from_lon: number;
    to_code: string;
    to_commune: string;
    to_lat: number;
    to_lon: number;
    seats: number;
    detour_km: number;
    contribution_cents: number;
    note: string;
    created_at: CreatedAt;
    updated_at: Generated<Date>;
  };
}

declare module "../../server/db/schema.ts" {
  interface Database extends RideTables {}
}
