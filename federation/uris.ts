// The URL layout of local actors, shared by Fedify's dispatchers and by code that builds
// activities outside a Fedify context (the outbound port, feature services).
export const INSTANCE_ACTOR = "instance";
export const CMCAS_ACTOR = "cmcas";

export const PATHS = {
  actor: "/users/{identifier}",
  instanceActor: "/actor",
  inbox: "/users/{identifier}/inbox",
  sharedInbox: "/inbox",
  outbox: "/users/{identifier}/outbox",
  followers: "/users/{identifier}/followers",
  following: "/users/{identifier}/following",
  nodeInfo: "/nodeinfo/2.1",
} as const;

export function actorUri(publicUrl: URL, identifier: string): URL {
  if (identifier === INSTANCE_ACTOR) return new URL(PATHS.instanceActor, publicUrl);
  return new URL(`/users/${encodeURIComponent(identifier)}`, publicUrl);
}

/** A fresh id for an activity: never derived from its actor and object (they repeat). */
export function newActivityId(publicUrl: URL): URL {
  return new URL(`/activities/${crypto.randomUUID()}`, publicUrl);
}

/** The `host[:port]` an instance is known by in the domain policy. */
export function hostOf(url: URL | string): string {
  return (typeof url === "string" ? new URL(url) : url).host.toLowerCase();
}

export function handleOf(username: string, uri: URL | string): string {
  return `@${username}@${hostOf(uri)}`;
}
