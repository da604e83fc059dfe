// In-app messages between two members: one module that the solidarity plugins (rides, housing,
// services exchange) use to put members in touch without showing their details first.
import type { Module } from "../modules/module.ts";
import { messagesApi } from "./messages.api.ts";
import { messageRoutes } from "./messages.routes.ts";

export const messagesModule: Module = {
  name: "messages",
  styles: ["/static/messages.css"],
  routes: messageRoutes,
  api: messagesApi,
};
