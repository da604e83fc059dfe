// A mail job run again after a crash (the worker killed after sending, before the queue recorded
// the job as done) sends its mail once: the try after the crash sees it was sent.
import assert from "node:assert/strict";
import { jobHandlers } from "../../app/assemble.ts";
import { MODULES } from "../../app/modules.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { readMails } from "../support/mail.ts";
import { person } from "../support/web.ts";

describe(`mail jobs run again send once (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance({ env: { PROCESS_ROLE: "web" } });
  });
  after(() => instance.destroy());

  it("sends one mail for two tries of the same job, and one per job", async () => {
    const handlers = jobHandlers(MODULES, instance.ctx, instance.federation);
    const who = person("once");
    const mail = {
      to: who.email,
      template: "invitation",
      lang: "fr" as const,
      data: { link: "http://127.0.0.1/signup?invitation=y", from: "Équipe" },
    };
    const signal = new AbortController().signal;
    await handlers["mail.send"](mail, { signal, attempt: 1, id: "bullmq:job-1" });
    await handlers["mail.send"](mail, { signal, attempt: 2, id: "bullmq:job-1" });
    const sent = () => readMails(instance.dataDir).filter((m) => m.to.includes(who.email));
    assert.equal(sent().length, 1);
    // Another job with the same content is another mail.
    await handlers["mail.send"](mail, { signal, attempt: 1, id: "bullmq:job-2" });
    assert.equal(sent().length, 2);
  });
});
