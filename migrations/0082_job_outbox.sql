-- Jobs asked for by a transaction are written by that transaction. With the database queue they
-- are rows of `jobs`; with BullMQ they wait here until they are handed over to Redis (at once
-- after the commit, or by the relay of any process when Redis was away or the process died), so
-- a committed action never loses its mail and a rolled-back one never sends it.
-- `job_id` is the BullMQ job id: a row relayed twice (a crash between the hand-over and the
-- delete) is one job.
create table job_outbox (
  id bigint generated always as identity primary key,
  job_id text not null unique,
  type text not null,
  payload jsonb not null,
  delay_ms integer not null default 0,
  created_at timestamptz not null default now()
);
