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
    origin: {
      type: "string",
      enum: ["local", "remote"],
      description: "remote: published by another instance, booked there",
    },
    territory: {
      type: "object",
      description: "Remote offers: the CMCAS (or other publisher) and its instance",
      properties: {
        name: { type: "string" },
        host: { type: "string" },
        uri: { type: "string", description: "The Event's id" },
        url: { type: ["string", "null"], description: "Its page on the home instance" },
      },
    },
    status: { type: "string", enum: ["draft", "published", "cancelled", "completed"] },
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
    status: {
      type: "string",
      enum: ["pending", "confirmed", "waitlisted", "cancelled", "rejected"],
      description: "pending: sent to the offer's home instance, not answered yet",
    },
    reason: { type: "string", description: "rejected: why, in the member's language" },
    reasonCode: { type: ["string", "null"] },
    origin: { type: "string", enum: ["local", "remote"] },
    persons: { type: "integer" },
    position: { type: ["integer", "null"] },
    createdAt: instant,
  },
} as const;
