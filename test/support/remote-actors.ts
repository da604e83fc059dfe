// A remote CMCAS-like actor stored as if fetched before: what tests of incoming activities start
// from when the sender's document itself is not under test.
import { saveRemoteActor, type RemoteActor } from "../../federation/actors/remote.ts";
import type { Db } from "../../server/db/database.ts";

export function storedOrganization(db: Db, host: string, username: string): Promise<RemoteActor> {
  return saveRemoteActor(db, {
    uri: `https://${host}/users/${username}`,
    host,
    type: "Organization",
    username,
    name: username,
    summary: "",
    url: null,
    iconUrl: null,
    inbox: `https://${host}/users/${username}/inbox`,
    sharedInbox: null,
    outbox: null,
    followersUrl: null,
  });
}
