// What operations (metrics, the admin dashboard, the command line) need from federation: the
// state of outgoing deliveries by peer and a way to try the failed ones again (ADR 0090).

export interface PeerDeliveries {
  host: string;
  pending: number;
  failing: number;
  dead: number;
  lastError: string | null;
}

export interface FailedDelivery {
  id: string;
  host: string;
  activityType: string;
  status: "failing" | "dead";
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

export interface OpsPort {
  deliveriesByHost(): Promise<PeerDeliveries[]>;
  failedDeliveries(limit: number): Promise<FailedDelivery[]>;
  /** Retries the failing and dead deliveries to one host, or to every host; how many. */
  retryDeliveries(host?: string): Promise<number>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    ops: OpsPort;
  }
}
