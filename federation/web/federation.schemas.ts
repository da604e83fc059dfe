export interface FollowForm {
  target: string;
}

export const followSchema = {
  type: "object",
  required: ["target"],
  properties: { target: { type: "string", minLength: 3, maxLength: 500 } },
} as const;

export interface FollowApiBody extends FollowForm {
  /** Follow as oneself (default) or, for admins, as the CMCAS. */
  as?: "me" | "cmcas";
}

export const followApiSchema = {
  type: "object",
  required: ["target"],
  additionalProperties: false,
  properties: {
    target: followSchema.properties.target,
    as: { type: "string", enum: ["me", "cmcas"] },
  },
} as const;

export interface DomainForm {
  domain: string;
  policy: "allow" | "block";
}

export const domainSchema = {
  type: "object",
  required: ["domain", "policy"],
  properties: {
    domain: { type: "string", minLength: 1, maxLength: 260 },
    policy: { type: "string", enum: ["allow", "block"] },
  },
} as const;

export const domainOnlySchema = {
  type: "object",
  required: ["domain"],
  properties: { domain: domainSchema.properties.domain },
} as const;

export const FOLLOW_SCHEMA = {
  type: "object",
  required: ["id", "actor", "target", "state", "createdAt"],
  properties: {
    id: { type: "integer" },
    actor: { type: "string", description: "The local actor: a member's id or 'cmcas'" },
    target: {
      type: "object",
      properties: {
        uri: { type: "string" },
        handle: { type: "string" },
        name: { type: "string" },
        type: { type: "string" },
      },
    },
    state: { type: "string", enum: ["pending", "accepted", "rejected"] },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

export const DOMAIN_SCHEMA = {
  type: "object",
  required: ["domain", "policy"],
  properties: {
    domain: { type: "string" },
    policy: { type: "string", enum: ["allow", "block"] },
    source: { type: "string", enum: ["config", "admin"] },
  },
} as const;
