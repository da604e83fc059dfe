// Carpooling in the JSON API: the open rides, publishing one, and the best matches of one's ride.
import { PUBLISHED_RESPONSES, publishedOrRefused } from "../../server/lib/listing-api.ts";
import type { ApiRegistry } from "../../server/api/api-registry.ts";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import { rideInput } from "./covoiturage.routes.ts";
import * as rides from "./covoiturage.service.ts";

const RIDE = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    kind: { type: "string", enum: ["offer", "request"] },
    date: { type: ["string", "null"], format: "date" },
    days: { type: "integer", description: "Weekday bits: Monday = 1 … Sunday = 64; 0 if one-off" },
    departMinutes: { type: "integer" },
    windowMinutes: { type: "integer" },
    from: { type: "object", properties: { code: { type: "string" }, commune: { type: "string" } } },
    to: { type: "object", properties: { code: { type: "string" }, commune: { type: "string" } } },
    seats: { type: "integer" },
    detourKm: { type: "integer" },
    contributionCents: { type: "integer" },
    offerId: { type: ["string", "null"], format: "uuid" },
    author: {
      type: "string",
      description: "Its author, or the CMCAS of a ride of another instance",
    },
    network: { type: "boolean", description: "Told to the CMCAS that follow this one" },
    territory: {
      type: ["string", "null"],
      description: "The CMCAS of a ride received from another instance; null for ours",
    },
    url: {
      type: ["string", "null"],
      format: "uri",
      description: "The page of a remote ride on its instance, where its author is contacted",
    },
  },
} as const;

const json = (r: rides.Ride) => ({
  id: r.id,
  kind: r.kind,
  date: r.ride_date,
  days: r.days,
  departMinutes: r.depart_minutes,
  windowMinutes: r.window_minutes,
  from: { code: r.from_code, commune: r.from_commune },
  to: { code: r.to_code, commune: r.to_commune },
  seats: r.seats,
  detourKm: r.detour_km,
  contributionCents: r.contribution_cents,
  offerId: r.offer_id,
  author: r.author,
  network: r.network,
  territory: r.territory,
  url: r.remote_url,
});

export function ridesApi(api: ApiRegistry, ctx: AppContext): void {
  api.add<unknown, { kind?: "offer" | "request"; offer?: string }>({
    method: "get",
    path: "/covoiturage/rides",
    summary: "Open rides offered and requested (covoiturage plugin)",
    tags: ["covoiturage"],
    auth: "user",
    query: {
      properties: {
        kind: { type: "string", enum: ["offer", "request"] },
        offer: { type: "string", format: "uuid", description: "Rides to this activity" },
      },
    },
    responses: { 200: { description: "Rides", schema: { type: "array", items: RIDE } } },
    async handler(req, res) {
      const items = await rides.listRides(ctx.db, {
        kind: req.validQuery.kind,
        offerId: req.validQuery.offer,
      });
      res.json(items.map(json));
    },
  });

  api.add<Record<string, string>>({
    method: "post",
    path: "/covoiturage/rides",
    summary: "Publish a ride offer or request (covoiturage plugin); fields as in the page's form",
    tags: ["covoiturage"],
    auth: "user",
    body: {
      type: "object",
      required: ["kind", "regular", "time", "from", "to"],
      additionalProperties: false,
      properties: {
        kind: { type: "string", enum: ["offer", "request"] },
        regular: { type: "string", enum: ["once", "regular"] },
        date: { type: "string", format: "date" },
        ...Object.fromEntries(
          [1, 2, 3, 4, 5, 6, 7].map((d) => [`day${d}`, { type: "string", enum: ["on"] }]),
        ),
        time: { type: "string", pattern: "^[0-9]{1,2}:[0-9]{2}$" },
        window: { type: "string", pattern: "^[0-9]{1,3}$" },
        from: { type: "string", maxLength: 60, description: "A postal code or a commune" },
        to: { type: "string", maxLength: 60 },
        seats: { type: "string", pattern: "^[0-9]$" },
        detour: { type: "string", pattern: "^[0-9]{1,3}$" },
        contribution: { type: "string", pattern: "^[0-9]{1,4}([.,][0-9]{1,2})?$" },
        note: { type: "string", maxLength: 1000 },
        offerId: { type: "string", format: "uuid" },
        network: { type: "string", enum: ["on"] },
      },
    },
    responses: PUBLISHED_RESPONSES,
    async handler(req, res) {
      const created = await ctx.transaction((tx) =>
        rides.createRide(tx, req.apiUser!.id, rideInput(req.body), ctx.ports.covoiturage),
      );
      res.status(201).json(publishedOrRefused("covoiturage", created));
    },
  });

  api.add({
    method: "get",
    path: "/covoiturage/rides/:id/matches",
    summary: "The rides that suit one of mine, best first (covoiturage plugin)",
    tags: ["covoiturage"],
    auth: "user",
    responses: {
      200: {
        description: "Matches",
        schema: {
          type: "array",
          items: {
            type: "object",
            properties: {
              ride: RIDE,
              startKm: { type: "number" },
              endKm: { type: "number" },
              gapMinutes: { type: "integer" },
            },
          },
        },
      },
    },
    async handler(req, res) {
      const ride = await rides.findRide(ctx.db, String(req.params.id));
      if (!ride || ride.user_id !== req.apiUser!.id) throw new HttpError(404, "errors.notFound");
      const matches = await rides.matchesFor(ctx.db, ride);
      res.json(
        matches.map((m) => ({
          ride: json(m.ride),
          startKm: Math.round(m.startKm * 10) / 10,
          endKm: Math.round(m.endKm * 10) / 10,
          gapMinutes: m.gapMinutes,
        })),
      );
    },
  });
}
