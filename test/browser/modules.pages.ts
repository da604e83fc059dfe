import type { PageSource } from "./harness.ts";

export const pages: PageSource = async () => [{ path: "/admin/modules", as: "admin" }];
