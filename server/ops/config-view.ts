// The configuration as an operator reads it, secrets masked. It walks the whole Config, so a
// setting added later is shown too, and masked when its name says it is secret (password,
// secret, token, key) or it is a URL with a password in it.
import type { Config } from "../config.ts";

const MASK = "********";
const SECRET = /password|secret|token|key$/i;

function show(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (SECRET.test(name)) return MASK;
  if (value instanceof URL || (typeof value === "string" && /^[a-z]+:\/\/[^/]*@/i.test(value))) {
    const url = new URL(String(value));
    if (url.password) url.password = MASK;
    return url.href;
  }
  if (Array.isArray(value)) return value.map(String).join(",");
  return String(value);
}

export function maskedConfig(config: Config): [string, string][] {
  const lines: [string, string][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === "object" && !(value instanceof URL) && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        const name = prefix ? `${prefix}.${key}` : key;
        // A secret object (the admin's credentials) is masked as a whole where its name says so.
        if (SECRET.test(key) && inner && typeof inner === "object") lines.push([name, MASK]);
        else walk(name, inner);
      }
      return;
    }
    lines.push([prefix, show(prefix, value)]);
  };
  walk("", config);
  return lines;
}
