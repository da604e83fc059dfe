// The network page every instance has (asking a hub to join, trusting its list), for the
// accessibility scan; the hub's own pages (HUB=1) are scanned by hub.test.ts.
import type { PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance }) => {
  await instance.ctx.db
    .insertInto("hub_link")
    .values({
      id: 1,
      hub_url: "https://hub.example/",
      requested_at: new Date(),
      list_json: JSON.stringify(["cmcas-lyon.example", "cmcas-nantes.example"]),
      list_updated_at: new Date(),
      list_fetched_at: new Date(),
      last_error: "fetch failed",
      last_attempt_at: new Date(),
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  return [{ path: "/admin/network", as: "admin" }];
};
