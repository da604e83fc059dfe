// Response shapes of the offers API, for the OpenAPI document.
const instant = { type: "string", format: "date-time" };
const nullableInstant = { type: ["string", "null"], format: "date-time" };

export const OFFER_SUMMARY_JSON = {
  type: "object",
  properties: {
    id: { type: "string" },
    url: { type: "string" },
    title: { type: "string" },
    summary: { type: "string" },
    category: {
      type: "object",
      properties: { slug: { type: "string" }, name: { type: "string" } },
    },
    audiences: { type: "array", items: { type: "string" } },
    startsAt: instant,
    endsAt: instant,
    timezone: { type: "string" },
    location: {
      type: "object",
      properties: {
        kind: { type: "string", enum: ["place", "online"] },
        city: { type: "string" },
        postalCode: { type: ["string", "null"] },
      },
    },
    capacity: { type: "integer" },
    placesLeft: { type: "integer" },
    price: {
      type: "object",
      properties: { free: { type: "boolean" }, fromCents: { type: "integer" } },
    },
    distanceKm: { type: "number" },
  },
} as const;

export const OFFER_JSON = {
  type: "object",
  properties: {
    ...OFFER_SUMMARY_JSON.properties,
    descriptionHtml: { type: "string", description: "Sanitized HTML" },
    registrationOpensAt: nullableInstant,
    registrationClosesAt: nullableInstant,
    cancellationDeadline: nullableInstant,
    maxPersonsPerRegistration: { type: "integer" },
    minAge: { type: ["integer", "null"] },
    maxAge: { type: ["integer", "null"] },
    priceTiers: {
      type: "array",
      items: {
        type: "object",
        properties: { upTo: { type: ["integer", "null"] }, price: { type: "integer" } },
      },
    },
    status: { type: "string", enum: ["draft", "published", "cancelled", "completed"] },
    visibility: { type: "string", enum: ["public", "network", "local"] },
    rating: {
      type: "object",
      properties: { average: { type: ["number", "null"] }, count: { type: "integer" } },
    },
    icsUrl: { type: "string" },
  },
} as const;

export const REGISTRATION_JSON = {
  type: "object",
  properties: {
    id: { type: "string" },
    offerId: { type: "string" },
    offerTitle: { type: "string" },
    startsAt: instant,
    status: { type: "string", enum: ["confirmed", "waitlisted", "cancelled"] },
    persons: { type: "integer" },
    position: { type: ["integer", "null"] },
    createdAt: instant,
  },
} as const;
