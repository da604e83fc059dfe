// The single sign-on admin page for the accessibility scan, with settings saved (switched off, so
// that the sign-in page keeps no button to a provider that does not run here).
import type { PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance }) => {
  await instance.ctx.db
    .insertInto("sso_settings")
    .values({
      id: true,
      enabled: false,
      issuer: "https://identite.exemple.fr/realms/adherents",
      client_id: "maillage",
      client_secret: "secret",
      button_label: "Gaia",
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  return [{ path: "/admin/sso", as: "admin" }];
};
