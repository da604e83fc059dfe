// The consultations module (issue 13, ADR 0130): staff ask members questions, members answer by
// secret ballot online or on paper, results are published with the organiser's response. It
// owns /participer, where other participation modules add their sections (slot
// "participation.home").
import type { Module } from "../modules/module.ts";
import { consultationRoutes } from "./consultations.routes.ts";
import { offerConsultations } from "./consultations.slots.ts";
import { staffRoutes } from "./staff.routes.ts";
import { consultationsApi } from "./consultations.api.ts";
import { networkRoutes } from "./network.routes.ts";
import { consultationsJobs } from "./closing.ts";
import "./consultations.port.ts";

export const consultationsModule: Module = {
  name: "consultations",
  nav: [{ href: "/participer", label: "consultations:nav" }],
  styles: ["/static/consultations.css"],
  settings: {
    schema: {
      type: "object",
      properties: {
        mastodonVotes: {
          type: "string",
          title: "consultations:settings.mastodonVotes",
          description: "consultations:settings.mastodonVotesHint",
          enum: ["ignore", "separate", "count"],
          default: "ignore",
        },
        perInstanceCap: {
          type: "integer",
          title: "consultations:settings.perInstanceCap",
          description: "consultations:settings.perInstanceCapHint",
          minimum: 0,
          maximum: 1000000,
          default: 0,
        },
      },
    },
  },
  jobs: consultationsJobs,
  // Consultations whose close date came are closed, their results announced (closing.ts).
  scheduled: [{ job: "consultations.closeDue", everySeconds: 300 }],
  slots: { "offers.offer": offerConsultations },
  routes(router, ctx) {
    // Before /consultations/:id, so that /consultations/new is not read as an id.
    staffRoutes(router, ctx);
    networkRoutes(router, ctx);
    consultationRoutes(router, ctx);
  },
  api(api, ctx) {
    consultationsApi(api, ctx);
  },
};
