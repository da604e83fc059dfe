-- Rides of other CMCAS, received from the CMCAS actors we follow (ADR 0146): the same fields as a
-- local ride (communes and their centres, never an address), the ride's id and page on its home
-- instance, and its territory's name. No author: contact happens on the ride's instance. A Delete
-- from the publisher removes the row; the plugin switched off keeps what it holds.
create table remote_rides (
  id uuid primary key default gen_random_uuid(),
  uri text not null unique,
  url text not null,
  remote_actor_id bigint not null references federation_remote_actors (id) on delete cascade,
  territory text not null,
  kind text not null check (kind in ('offer', 'request')),
  days smallint not null default 0 check (days between 0 and 127),
  ride_date text check (ride_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  depart_minutes smallint not null check (depart_minutes between 0 and 1439),
  window_minutes smallint not null default 30 check (window_minutes between 0 and 240),
  from_code text not null,
  from_commune text not null,
  from_lat double precision not null check (from_lat between -90 and 90),
  from_lon double precision not null check (from_lon between -180 and 180),
  to_code text not null,
  to_commune text not null,
  to_lat double precision not null check (to_lat between -90 and 90),
  to_lon double precision not null check (to_lon between -180 and 180),
  seats smallint not null default 1 check (seats between 1 and 8),
  detour_km smallint not null default 5 check (detour_km between 0 and 100),
  contribution_cents integer not null default 0 check (contribution_cents between 0 and 100000),
  note text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((days = 0) <> (ride_date is null))
);
create index remote_rides_kind_idx on remote_rides (kind, created_at desc);
