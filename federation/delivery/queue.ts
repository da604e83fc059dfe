// Fedify's MessageQueue over Maillage's job queue (database queue or BullMQ), so inbound
// activities and deliveries are durable jobs with the same operations as every other job.
// Fedify registers its consumer through listen(); our job handlers hand each message to it.
import type { Message, MessageQueue, MessageQueueEnqueueOptions } from "@fedify/fedify";

type Send = (message: Message, delayMs: number) => Promise<void>;
type SendMany = (messages: readonly Message[]) => Promise<void>;
type Consumer = (message: Message) => Promise<void> | void;

export class JobMessageQueue implements MessageQueue {
  /** Fedify computes retries itself (our delivery policy) and re-enqueues with a delay. */
  readonly nativeRetrial = false;
  readonly #send: Send;
  #consumer: Consumer | undefined;
  /** Fedify hands a whole fan-out at once when the queue has it (outbox: batched deliveries). */
  readonly enqueueMany?: (messages: readonly Message[]) => Promise<void>;

  constructor(send: Send, sendMany?: SendMany) {
    this.#send = send;
    if (sendMany) this.enqueueMany = (messages) => sendMany(messages);
  }

  async enqueue(message: Message, options?: MessageQueueEnqueueOptions): Promise<void> {
    const delay = options?.delay ? Math.max(0, options.delay.total("millisecond")) : 0;
    await this.#send(message, Math.round(delay));
  }

  /** Resolves when the signal aborts; the consumer stays, so jobs already claimed while the
   * job queue shuts down still run. */
  async listen(consumer: Consumer, options?: { signal?: AbortSignal }): Promise<void> {
    this.#consumer = consumer;
    await new Promise<void>((resolve) => {
      if (!options?.signal || options.signal.aborted) return resolve();
      options.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  /** Runs one message; throws (so the job is retried) when this process is not consuming. */
  async process(message: Message): Promise<void> {
    if (!this.#consumer) throw new Error("the federation queue is not started in this process");
    await this.#consumer(message);
  }
}
