import assert from "node:assert/strict";
import { readMembersCsv } from "../../server/members-import/members-csv.ts";
import { loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { linkIn, readMails, waitForMail } from "../support/mail.ts";
import { csrfFrom, submit, type Agent } from "../support/web.ts";

const HEADER = "numero_adherent;nom;prenom;email;annee_naissance;foyer;lien";

describe("member import: reading the file", () => {
  it("reads quoted fields, French headers and reports each bad line", () => {
    const read = readMembersCsv(
      "\uFEFFNuméro adhérent,Nom,Prénom,E-mail,Année naissance,Foyer,Lien\r\n" +
        'A1,"Dupont, dit ""Jo""",Jean,JEAN@exemple.fr,1970,,\r\n' +
        "A2,Dupont,Léa,,2010,A1,enfant\r\n" +
        "A1,Autre,Personne,autre@exemple.fr,1980,,\r\n" +
        "A3,Sans,Foyer,,1990,,\r\n" +
        "A4,Trop,Jeune,x@exemple.fr,3020,,\r\n" +
        "A5,Lien,Inconnu,,2001,A1,cousin\r\n" +
        "A6,Mail,Double,jean@exemple.fr,1975,,\r\n" +
        "\r\n",
    );
    assert.equal(read.total, 7);
    assert.deepEqual(
      read.rows.map((r) => [r.memberNumber, r.lastName, r.email, r.household, r.relation]),
      [
        ["A1", 'Dupont, dit "Jo"', "jean@exemple.fr", null, null],
        ["A2", "Dupont", null, "A1", "child"],
      ],
    );
    assert.deepEqual(
      read.errors.map((e) => [e.line, e.field, e.key]),
      [
        [4, "memberNumber", "errors.duplicateNumber"],
        [5, "email", "errors.emailOrHousehold"],
        [6, "birthYear", "errors.birthYear"],
        [7, "relation", "errors.relation"],
        [8, "email", "errors.duplicateEmail"],
      ],
    );
    const missing = readMembersCsv("nom;prenom\nA;B\n");
    assert.deepEqual(missing.errors[0], {
      line: 1,
      field: "memberNumber",
      key: "errors.missingColumn",
    });
  });
});

describe("member import", function () {
  this.timeout(600_000);
  let instance: TestInstance;
  let agent: Agent;
  const admin = { email: "admin-import@exemple.fr", password: "administrateur sûr" };
  before(async () => {
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    });
    agent = await loggedIn(instance, admin);
  });
  after(() => instance.destroy());

  async function upload(name: string, csv: string) {
    const page = await agent.get("/admin/members/import");
    return agent
      .post("/admin/members/import")
      .field("_csrf", csrfFrom(page.text))
      .attach("file", Buffer.from(csv), { filename: name, contentType: "text/csv" });
  }

  /** Starts a run and follows the progress page as a browser would, until the report. */
  async function run(importPath: string, fields: Record<string, string>) {
    const started = await submit(agent, importPath, `${importPath}/start`, fields);
    assert.equal(started.status, 303);
    const pages: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const page = await agent.get(importPath);
      assert.equal(page.status, 200);
      pages.push(page.text);
      if (!page.headers.refresh) return { report: page.text, progress: pages.slice(0, -1) };
      assert.equal(page.headers.refresh, "2", "the page reloads itself while the job runs");
      assert.match(page.text, /<progress id="import-progress" max="\d+" value="\d+"/);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the import did not finish");
  }

  const count = async (table: "member_records" | "users" | "family_members") =>
    Number(
      (
        await instance.ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("refuses other files with a clear message", async () => {
    const noFile = await submit(agent, "/admin/members/import", "/admin/members/import", {});
    assert.equal(noFile.status, 422);
    const empty = await upload("vide.csv", `${HEADER}\n`);
    assert.equal(empty.status, 422);
    assert.match(empty.text, /aucune ligne d&#x27;adhérent/);
    assert.equal((await agent.get("/admin/members/imports/pas-un-id")).status, 404);
  });

  it("previews, dry-runs, imports with invitations, then updates without duplicates", async () => {
    const existing = await instance.ctx.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", admin.email)
      .executeTakeFirstOrThrow();
    const first = [
      HEADER,
      "B100;Martin;Claire;claire.martin@exemple.fr;1978;;",
      "B101;Martin;Louis;;2012;B100;enfant",
      "B102;Martin;Paul;;1975;B100;conjoint",
      `B103;Admin;Istrateur;${admin.email};1960;;`,
      "B104;Sans;Foyer;;1990;;",
      "B105;Foyer;Inconnu;;2001;B999;enfant",
    ].join("\n");
    const uploaded = await upload("adherents.csv", first);
    assert.equal(uploaded.status, 303);
    const path = uploaded.headers.location!;
    const previewPage = await agent.get(path);
    assert.match(previewPage.text, /Aperçu, rien n&#x27;est encore importé/);
    assert.match(previewPage.text, /claire\.martin@exemple\.fr/);
    assert.match(previewPage.text, /Indiquez une adresse e-mail, ou le foyer/);
    assert.equal(await count("member_records"), 0);

    const users = await count("users");
    const dry = await run(path, { mode: "dry" });
    assert.match(dry.report, /simulation/);
    assert.match(dry.report, /<dt>Créés<\/dt><dd>4<\/dd>/);
    assert.match(dry.report, /Le foyer indiqué n&#x27;existe pas/);
    assert.equal(await count("member_records"), 0, "a dry run saves nothing");
    assert.equal(await count("users"), users);

    const real = await run(path, { mode: "apply", invite: "on" });
    assert.match(real.report, /<dt>Créés<\/dt><dd>4<\/dd>/);
    assert.match(real.report, /<dt>Erreurs<\/dt><dd>2<\/dd>/);
    assert.equal(await count("users"), users + 1, "the admin's address links the existing account");
    const records = await instance.ctx.db
      .selectFrom("member_records")
      .selectAll()
      .orderBy("member_number")
      .execute();
    assert.deepEqual(
      records.map((r) => r.member_number),
      ["B100", "B101", "B102", "B103"],
    );
    assert.equal(records[3]!.user_id, existing.id);
    const claire = records[0]!.user_id!;
    const family = await instance.ctx.db
      .selectFrom("family_members")
      .select(["first_name", "relation", "birth_year"])
      .where("user_id", "=", claire)
      .orderBy("first_name")
      .execute();
    assert.deepEqual(family, [
      { first_name: "Louis", relation: "child", birth_year: 2012 },
      { first_name: "Paul", relation: "spouse", birth_year: 1975 },
    ]);
    const again = await agent.get(path);
    assert.doesNotMatch(again.text, /Lancer l&#x27;import/, "the file is gone after the real run");

    // The invitation lets Claire choose a password and sign in; the admin (confirmed) gets none.
    const mail = await waitForMail(instance.dataDir, "claire.martin@exemple.fr", /Votre compte/);
    const reset = new URL(linkIn(mail, "/password/reset/")).pathname;
    const password = "mon mot de passe à moi";
    const chosen = await submit(agent, reset, reset, { password, confirm: password });
    assert.equal(chosen.status, 303);
    await loggedIn(instance, { email: "claire.martin@exemple.fr", password });
    assert.ok(readMails(instance.dataDir).every((m) => !m.to.includes(admin.email)));

    const second = [
      HEADER,
      "B100;Martin-Durand;Claire;claire.martin@exemple.fr;1978;;",
      "B101;Martin;Louis;;2011;B100;enfant",
      "B102;Martin;Paul;;1975;B100;conjoint",
      `B103;Admin;Istrateur;${admin.email};1960;;`,
      "B106;Nouveau;Membre;nouveau@exemple.fr;1999;;",
    ].join("\n");
    const reimport = await upload("adherents-2.csv", second);
    const done = await run(reimport.headers.location!, { mode: "apply" });
    assert.match(done.report, /<dt>Créés<\/dt><dd>1<\/dd>/);
    assert.match(done.report, /<dt>Mis à jour<\/dt><dd>2<\/dd>/);
    assert.match(done.report, /<dt>Inchangés<\/dt><dd>2<\/dd>/);
    assert.match(done.report, /<td[^>]*>B100<\/td><td[^>]*>Nom<\/td>/);
    assert.match(done.report, /<td[^>]*>B101<\/td><td[^>]*>Année de naissance<\/td>/);
    assert.equal(await count("member_records"), 5);
    const louis = await instance.ctx.db
      .selectFrom("family_members")
      .select("birth_year")
      .where("user_id", "=", claire)
      .where("first_name", "=", "Louis")
      .execute();
    assert.deepEqual(louis, [{ birth_year: 2011 }]);
  });

  it("imports 10,000 lines with progress shown, and again without a duplicate", async () => {
    const lines = [HEADER];
    for (let i = 0; i < 10_000; i++) {
      const holder = i - (i % 4);
      lines.push(
        i % 4 === 0
          ? `C${i};Nom${i};Prénom${i};membre${i}@exemple.fr;${1950 + (i % 50)};;`
          : `C${i};Nom${holder};Enfant${i};;${2000 + (i % 20)};C${holder};enfant`,
      );
    }
    const csv = lines.join("\n");
    const records = await count("member_records");
    const users = await count("users");
    const families = await count("family_members");
    const uploaded = await upload("grand-fichier.csv", csv);
    assert.equal(uploaded.status, 303);
    const first = await run(uploaded.headers.location!, { mode: "apply" });
    assert.ok(first.progress.length > 0, "the progress page was shown while the job ran");
    assert.ok(
      first.progress.some((p) => /lignes traitées sur 10[\s\u202f]000/.test(p)),
      "the progress counts the lines",
    );
    assert.match(first.report, /<dt>Créés<\/dt><dd>10[\s\u202f]000<\/dd>/);
    assert.equal(await count("member_records"), records + 10_000);
    assert.equal(await count("users"), users + 2_500);
    assert.equal(await count("family_members"), families + 7_500);

    const again = await upload("grand-fichier.csv", csv);
    const second = await run(again.headers.location!, { mode: "apply" });
    assert.match(second.report, /<dt>Inchangés<\/dt><dd>10[\s\u202f]000<\/dd>/);
    assert.match(second.report, /<dt>Créés<\/dt><dd>0<\/dd>/);
    assert.equal(await count("member_records"), records + 10_000);
    assert.equal(await count("users"), users + 2_500);
    assert.equal(await count("family_members"), families + 7_500);
  });
});
