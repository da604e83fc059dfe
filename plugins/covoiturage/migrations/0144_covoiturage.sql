-- Carpooling: offers and requests of rides, regular (days of the week, as bits: Monday = 1,
-- Tuesday = 2, … Sunday = 64) or one-off (a date), from and to a postal code's commune (the
-- bundled postal data gives its coordinates: never an exact address), a departure time with a
-- flexibility window, seats, accepted detour and contribution (cents; 0 is free). A ride may be
-- attached to an activity (offer).
create table rides (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references users (id) on delete set null,
  kind text not null check (kind in ('offer', 'request')),
  days smallint not null default 0 check (days between 0 and 127),
  ride_date text check (ride_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  depart_minutes smallint not null check (depart_minutes between 0 and 1439),
  window_minutes smallint not null default 30 check (window_minutes between 0 and 240),
  from_code text not null,
  from_commune text not null,
  from_lat double precision not null,
  from_lon double precision not null,
  to_code text not null,
  to_commune text not null,
  to_lat double precision not null,
  to_lon double precision not null,
  seats smallint not null default 1 check (seats between 1 and 8),
  detour_km smallint not null default 5 check (detour_km between 0 and 100),
  contribution_cents integer not null default 0 check (contribution_cents between 0 and 100000),
  note text not null default '',
  offer_id uuid references offers (id) on delete set null,
  network boolean not null default false,
  status text not null default 'open' check (status in ('open', 'closed')),
  removed_reason text,
  created_at timestamptz not null default now(),
  check ((days = 0) <> (ride_date is null))
);
create index rides_open_idx on rides (kind, created_at desc) where status = 'open';
create index rides_offer_idx on rides (offer_id) where offer_id is not null;
