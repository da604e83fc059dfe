// Member import pages for the accessibility scan: the upload form, a preview with bad lines, a
// run in progress and a report.
import type { PageSource } from "./harness.ts";
import { createImport } from "../../server/members-import/members-import.service.ts";

const CSV = [
  "numero_adherent;nom;prenom;email;annee_naissance;foyer;lien",
  "S1;Martin;Claire;claire.scan@exemple.fr;1978;;",
  "S2;Martin;Louis;;2012;S1;enfant",
  "S3;Sans;Foyer;;1990;;",
].join("\n");

export const pages: PageSource = async ({ instance, users }) => {
  const { db } = instance.ctx;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const created = await createImport(db, {
      fileName: "adherents.csv",
      content: CSV,
      createdBy: users.admin.user.id,
    });
    if (!created.ok) throw new Error("the scan's file did not read");
    ids.push(created.value);
  }
  await db
    .updateTable("member_imports")
    .set({ status: "running", processed: 1 })
    .where("id", "=", ids[1]!)
    .execute();
  await db
    .updateTable("member_imports")
    .set({
      status: "done",
      created_count: 1,
      updated_count: 1,
      error_count: 1,
      report: JSON.stringify({
        errors: [{ line: 4, field: "email", key: "errors.emailOrHousehold", memberNumber: "S3" }],
        changes: [{ line: 3, memberNumber: "S2", fields: ["birthYear", "lastName"] }],
      }),
    })
    .where("id", "=", ids[2]!)
    .execute();
  return [
    { path: "/admin/members/import", as: "admin" },
    { path: `/admin/members/imports/${ids[0]}`, as: "admin" },
    { path: `/admin/members/imports/${ids[1]}?auto=0`, as: "admin" },
    { path: `/admin/members/imports/${ids[2]}`, as: "admin" },
  ];
};
