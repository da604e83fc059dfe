// What the plugins' "publish a listing" API calls share: the documented answers, and a refused
// field turned into the 422 problem with that field named.
import { HttpError } from "../http/errors.ts";
import type { Result } from "./result.ts";

export const PUBLISHED_RESPONSES = {
  201: {
    description: "Published",
    schema: { type: "object", properties: { id: { type: "string" } } },
  },
  422: { description: "A field is refused" },
} as const;

/** The new listing's id, or the 422 naming the refused field in the plugin's messages. */
export function publishedOrRefused<E extends string>(
  module: string,
  created: Result<{ id: string }, E>,
): { id: string } {
  if (!created.ok)
    throw new HttpError(422, `${module}:errors.${created.error}`, {
      fields: [{ field: created.error, key: `${module}:errors.${created.error}` }],
    });
  return created.value;
}
