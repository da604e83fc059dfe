// Access links keep their secret out of the request log.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { pino } from "pino";
import supertest from "supertest";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

describe("secrets in logged URLs", () => {
  let instance: TestInstance;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    instance = await startTestInstance({ logger: pino({ level: "info" }, sink) });
  });
  after(() => instance.destroy());

  it("logs reset, confirmation, calendar and invitation URLs without their token", async () => {
    const secret = "S3cr3tT0kenDoNotLog_abcdefghijklmnop";
    const paths = [
      `/password/reset/${secret}`,
      `/confirm/${secret}`,
      `/calendars/${secret}.ics`,
      `/signup?invitation=${secret}&lang=fr`,
    ];
    for (const path of paths) await supertest(instance.url).get(path);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = lines.flatMap((line) => {
      const url = (JSON.parse(line) as { req?: { url?: string } }).req?.url;
      return url === undefined ? [] : [url];
    });
    assert.ok(logged.length >= paths.length, "the requests are logged");
    assert.ok(!lines.some((line) => line.includes(secret)), "no line holds the secret");
    for (const expected of [
      "/password/reset/[redacted]",
      "/confirm/[redacted]",
      "/calendars/[redacted].ics",
      "/signup?invitation=[redacted]&lang=fr",
    ])
      assert.ok(logged.includes(expected), `${expected} in ${logged.join(" ")}`);
  });
});
