// Input schemas shared by the pages and the API.
import { ROLES } from "./accounts.tables.ts";
import { USERNAME_PATTERN } from "./accounts.service.ts";

export const email = { type: "string", format: "email", maxLength: 254 } as const;
export const password = { type: "string", minLength: 10, maxLength: 200 } as const;
export const username = { type: "string", pattern: USERNAME_PATTERN } as const;
export const displayName = { type: "string", minLength: 1, maxLength: 80 } as const;
export const language = { type: "string", enum: ["fr", "en"] } as const;

export interface SignUpForm {
  email: string;
  password: string;
  username: string;
  displayName: string;
  invitation?: string;
}

export const signUpSchema = {
  type: "object",
  required: ["email", "password", "username", "displayName"],
  properties: {
    email,
    password,
    username,
    displayName,
    invitation: { type: "string", maxLength: 100 },
  },
} as const;

export const loginSchema = {
  type: "object",
  required: ["email", "password"],
  properties: {
    email: { type: "string", minLength: 1, maxLength: 254 },
    password: { type: "string", minLength: 1, maxLength: 200 },
  },
} as const;

export const emailOnlySchema = {
  type: "object",
  required: ["email"],
  properties: { email },
} as const;

export const newPasswordSchema = {
  type: "object",
  required: ["password", "confirm"],
  properties: { password, confirm: { type: "string", minLength: 1, maxLength: 200 } },
} as const;

export const setupSchema = {
  type: "object",
  required: ["email", "password", "username", "displayName"],
  properties: { email, password, username, displayName },
} as const;

export const apiTokenRequestSchema = {
  type: "object",
  required: ["email", "password"],
  additionalProperties: false,
  properties: {
    email: { type: "string", minLength: 1, maxLength: 254 },
    password: { type: "string", minLength: 1, maxLength: 200 },
    name: { type: "string", minLength: 1, maxLength: 80 },
  },
} as const;

export const apiAccountSchema = {
  type: "object",
  required: ["email", "password", "username", "displayName"],
  additionalProperties: false,
  properties: {
    email,
    password,
    username,
    displayName,
    language,
    role: { type: "string", enum: [...ROLES] },
  },
} as const;
