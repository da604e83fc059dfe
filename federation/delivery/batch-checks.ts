// What the deliveries of one batch job share (ADR 0174): the policy's answer for their host and
// their restored signing keys, asked once per batch instead of once per delivery (a fan-out's
// batch is fifty inboxes of one host, signed with the same keys).
import { once } from "../../server/lib/once.ts";
import type { DeliveryChecks } from "./deliveries.ts";

/** `checks` with `allowed` and `restoreKeys` asked once per host and per key set. */
export function batchChecks(checks: DeliveryChecks): DeliveryChecks {
  const allowed = new Map<string, Promise<boolean>>();
  const keys = new Map<string, ReturnType<DeliveryChecks["restoreKeys"]>>();
  return {
    ...checks,
    allowed: (host) => once(allowed, host, () => checks.allowed(host)),
    restoreKeys: (stored) =>
      once(keys, stored.map((k) => k.keyId).join("\n"), () => checks.restoreKeys(stored)),
  };
}
