import { displayName, language, password, username } from "../accounts/accounts.schemas.ts";
import { RELATIONS, type Language, type Relation } from "../accounts/accounts.tables.ts";

export interface ProfileForm {
  displayName: string;
  username: string;
  homeSlvieId?: string;
  language: Language;
  discoverable?: "on";
}

export const profileFormSchema = {
  type: "object",
  required: ["displayName", "username", "language"],
  properties: {
    displayName,
    username,
    homeSlvieId: { type: "string", format: "uuid" },
    language,
    discoverable: { type: "string", enum: ["on"] },
  },
} as const;

export interface FamilyForm {
  firstName: string;
  relation: Relation;
  birthYear: number;
}

const familyProperties = {
  firstName: { type: "string", minLength: 1, maxLength: 60 },
  relation: { type: "string", enum: [...RELATIONS] },
  birthYear: { type: "integer", minimum: 1900, maximum: 2200 },
} as const;

export const familyFormSchema = {
  type: "object",
  required: ["firstName", "relation", "birthYear"],
  properties: familyProperties,
} as const;

export const familyApiSchema = { ...familyFormSchema, additionalProperties: false } as const;

export interface NotificationsForm {
  emailRegistrations?: "on";
  emailReminders?: "on";
  emailLastMinute?: "on";
  emailForums: "off" | "digest" | "each";
}

export const notificationsFormSchema = {
  type: "object",
  required: ["emailForums"],
  properties: {
    emailRegistrations: { type: "string", enum: ["on"] },
    emailReminders: { type: "string", enum: ["on"] },
    emailLastMinute: { type: "string", enum: ["on"] },
    emailForums: { type: "string", enum: ["off", "digest", "each"] },
  },
} as const;

export const passwordFormSchema = {
  type: "object",
  required: ["current", "password", "confirm"],
  properties: {
    current: { type: "string", minLength: 1, maxLength: 200 },
    password,
    confirm: { type: "string", minLength: 1 },
  },
} as const;

export const tokenFormSchema = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", minLength: 1, maxLength: 80 } },
} as const;

export const profileApiSchema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    displayName,
    username,
    homeSlvieId: { type: ["string", "null"], format: "uuid" },
    language,
    discoverable: { type: "boolean" },
    notifications: {
      type: "object",
      additionalProperties: false,
      properties: {
        emailRegistrations: { type: "boolean" },
        emailReminders: { type: "boolean" },
        emailLastMinute: { type: "boolean" },
        emailForums: { type: "string", enum: ["off", "digest", "each"] },
      },
    },
  },
} as const;

export const deleteAccountSchema = {
  type: "object",
  required: ["password"],
  additionalProperties: false,
  properties: {
    password: { type: "string", minLength: 1, maxLength: 200 },
    // What becomes of the member's forum posts: kept under "Ancien membre", or removed.
    content: { type: "string", enum: ["anonymise", "remove"] },
  },
} as const;

export { password };
