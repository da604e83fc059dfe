// Node 24 has no global Temporal, while Fedify's types use the global one (lib esnext.temporal).
// Installing the polyfill as the global lets our code build Instants and Durations Fedify accepts.
import { Temporal as TemporalPolyfill } from "@js-temporal/polyfill";

if (!("Temporal" in globalThis)) {
  Object.defineProperty(globalThis, "Temporal", {
    value: TemporalPolyfill,
    writable: true,
    configurable: true,
  });
}
