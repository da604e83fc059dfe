-- A fan-out's activity, kept once (ADR 0156): its delivery rows name it by the SHA-256 of its
-- JSON instead of each holding a copy (about 3 kB each, a thousand times for a thousand inboxes).
create table federation_delivery_payloads (
  hash text primary key,
  activity jsonb not null,
  created_at timestamptz not null default now()
);
