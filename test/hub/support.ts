// A network of four instances on loopback for the hub suites: the hub (HUB=1, open federation so
// that any CMCAS may ask to join) and three CMCAS that allow nobody at first.
import assert from "node:assert/strict";
import { loggedIn } from "../support/accounts.ts";
import { submit } from "../support/web.ts";
import { startNetwork, waitFor, type Network, type Peer } from "../federation/harness.ts";

export async function startHubNetwork(): Promise<Network> {
  return startNetwork(
    { hub: [], a: [], b: [], c: [] },
    { env: { hub: { HUB: "1", FEDERATION_MODE: "open", INSTANCE_NAME: "CCAS" } } },
  );
}

/** An admin's form on their instance's pages, as a browser sends it. */
export async function adminForm(
  peer: Peer,
  page: string,
  action: string,
  fields: Record<string, string> = {},
) {
  const agent = await loggedIn(peer.instance, peer.admin);
  const res = await submit(agent, page, action, fields);
  assert.equal(res.status, 303, `${action}: ${res.status} ${res.text}`);
  return agent;
}

/** Each CMCAS asks the hub to join from its Network page; the hub admin accepts them. */
export async function joinAll(net: Network, names: string[]): Promise<void> {
  const hub = net.hub!;
  for (const name of names)
    await adminForm(net[name]!, "/admin/network", "/admin/network/join", { hubUrl: hub.url });
  await waitFor("the hub to record the requests", async () => {
    const rows = await hub.instance.ctx.db.selectFrom("hub_members").select("host").execute();
    return rows.length >= names.length;
  });
  for (const name of names)
    await adminForm(hub, "/admin/hub", `/admin/hub/members/${net[name]!.host}/accept`);
}

export async function allows(peer: Peer, host: string): Promise<boolean> {
  return peer.instance.federation.policy.allows(host);
}
