-- How far the reading of a followed actor's outbox has gone (offers today; other modules with
-- their own kind), so that the hub admin sees a first aggregation's progress as a share of the
-- objects found, not only a count. One row per actor and kind, rewritten at each backfill.
create table federation_backfills (
  remote_actor_id integer not null references federation_remote_actors (id) on delete cascade,
  kind text not null,
  total integer not null check (total >= 0),
  done integer not null default 0 check (done >= 0),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (remote_actor_id, kind)
);
