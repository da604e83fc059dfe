// The modules of an instance, in navigation order: each is its folder in server/ (pages, API,
// jobs, tables) and, where it federates, its folder in federation/ (objects, actors, port, inbox).
// Adding a module is its folders plus one line here (ADR 0060).
import type { Module } from "../server/modules/module.ts";
import type { FederationModule } from "../federation/module.ts";
import { accountsModule } from "../server/accounts/accounts.module.ts";
import { adminModule } from "../server/admin/admin.module.ts";
import { forumsModule } from "../server/forums/forums.module.ts";
import { instanceModule } from "../server/instance/instance.module.ts";
import { jobsModule } from "../server/jobs/jobs.module.ts";
import { mailModule } from "../server/mail/mail.module.ts";
import { membersModule } from "../server/members/members.module.ts";
import { membersImportModule } from "../server/members-import/members-import.module.ts";
import { privacyModule } from "../server/privacy/privacy.module.ts";
import { ssoModule } from "../server/sso/sso.module.ts";
import { notificationsModule } from "../server/notifications/notifications.module.ts";
import { messagesModule } from "../server/messages/messages.module.ts";
import { offersModule } from "../server/offers/offers.module.ts";
import { tutorialsModule } from "../server/tutorials/tutorials.module.ts";
import { consultationsModule } from "../server/consultations/consultations.module.ts";
import { opsModule } from "../server/ops/ops.module.ts";
import { federationModule } from "../federation/federation.module.ts";
import { forumsFederation } from "../federation/forums/forums.federation.ts";
import { offersFederation } from "../federation/offers/offers.federation.ts";
import { tutorialsFederation } from "../federation/tutorials/tutorials.federation.ts";
import { consultationsFederation } from "../federation/consultations/consultations.federation.ts";
import { privacyFederation } from "../federation/privacy/privacy.federation.ts";
import { opsFederation } from "../federation/ops/ops.federation.ts";
import { hubFederation } from "../federation/hub/hub.federation.ts";
import { hubModule } from "../server/hub/hub.module.ts";
import { ideasModule } from "../server/ideas/ideas.module.ts";
import { budgetsModule } from "../server/budgets/budgets.module.ts";
import { budgetsFederation } from "../federation/budgets/budgets.federation.ts";

/** A module's two halves; either may be absent (federation's own module has no domain half). */
export interface ModuleEntry {
  module?: Module;
  federation?: FederationModule;
}

export const MODULES: readonly ModuleEntry[] = [
  { module: instanceModule },
  { module: offersModule, federation: offersFederation },
  { module: accountsModule },
  { module: ssoModule },
  { module: membersModule },
  { module: notificationsModule },
  { module: messagesModule },
  { federation: federationModule },
  { module: forumsModule, federation: forumsFederation },
  { module: tutorialsModule, federation: tutorialsFederation },
  { module: consultationsModule, federation: consultationsFederation },
  { module: adminModule },
  { module: membersImportModule },
  { module: privacyModule, federation: privacyFederation },
  { module: mailModule },
  { module: jobsModule },
  { module: opsModule, federation: opsFederation },
  { module: hubModule, federation: hubFederation },
  { module: ideasModule },
  { module: budgetsModule, federation: budgetsFederation },
];
