// Properties Fedify's vocabulary does not know (e.g. Mobilizon's `timezone`, `joinMode`,
// `maximumAttendeeCapacity` on an Event) must still reach other servers. Fedify serialises
// what it sends in compact form, which only keeps known properties; this wraps an activity so
// that its compact form gets the extra context terms and object properties back. They are part
// of what Fedify then signs (Linked Data signature, integrity proof).
import type { Activity, Object as ApObject } from "@fedify/vocab";

export interface ObjectExtras {
  /** JSON-LD term definitions of the extra properties, e.g. `{ mz: "https://joinmobilizon.org/ns#", timezone: "mz:timezone" }`. */
  context: Record<string, unknown>;
  /** Properties added to the activity's embedded object. */
  fields: Record<string, unknown>;
  /** Properties added to the activity itself (e.g. the persons of a Join, a Reject's reason). */
  activityFields?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

export function addExtras(json: Json, extras: ObjectExtras): Json {
  const embedded = typeof json.object === "object" && json.object !== null;
  if (!embedded && !extras.activityFields) return json;
  const context = json["@context"];
  return {
    ...json,
    ...extras.activityFields,
    "@context": [...(Array.isArray(context) ? context : [context]), extras.context],
    ...(embedded ? { object: { ...(json.object as Json), ...extras.fields } } : {}),
  };
}

/** The same activity, whose compact JSON-LD carries `extras` (clones keep them). */
export function withObjectExtras<T extends Activity>(activity: T, extras: ObjectExtras): T {
  const Base = activity.constructor as new (...args: never[]) => Activity;
  class WithExtras extends Base {
    override async toJsonLd(options: Parameters<Activity["toJsonLd"]>[0] = {}): Promise<unknown> {
      const json = (await super.toJsonLd(options)) as Json;
      return options.format === "compact" ? addExtras(json, extras) : json;
    }
  }
  // Keeps the fields Fedify's constructor set; its clone() builds a WithExtras again.
  return Object.setPrototypeOf(activity, WithExtras.prototype) as T;
}

/** An object whose own JSON-LD carries extra properties (Fedify serialises objects it serves). */
export function servedWithExtras<T extends ApObject>(object: T, extras: ObjectExtras): T {
  const Base = object.constructor as new (...args: never[]) => ApObject;
  class Served extends Base {
    override async toJsonLd(options: Parameters<ApObject["toJsonLd"]>[0] = {}): Promise<unknown> {
      const json = (await super.toJsonLd({ ...options, format: "compact" })) as Json;
      const context = json["@context"];
      return {
        ...json,
        "@context": [...(Array.isArray(context) ? context : [context]), extras.context],
        ...extras.fields,
      };
    }
  }
  return Object.setPrototypeOf(object, Served.prototype) as T;
}
