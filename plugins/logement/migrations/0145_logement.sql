-- Solidarity housing: offers and requests of a room, a flat share or a short stay (for a
-- mobility, a training, a young hire), with dates, a commune (never an address), a rent (cents;
-- 0 is free) and conditions. A listing disappears once taken, closed, or past its end date.
create table housing_listings (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references users (id) on delete set null,
  kind text not null check (kind in ('offer', 'request')),
  housing text not null check (housing in ('room', 'flatshare', 'short_stay')),
  purpose text not null check (purpose in ('mobility', 'training', 'young_hire', 'other')),
  title text not null,
  description text not null default '',
  conditions text not null default '',
  from_date text not null check (from_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  to_date text check (to_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  postal_code text not null,
  commune text not null,
  rent_cents integer not null default 0 check (rent_cents between 0 and 500000),
  status text not null default 'open' check (status in ('open', 'taken', 'closed')),
  removed_reason text,
  created_at timestamptz not null default now(),
  check (to_date is null or to_date >= from_date)
);
create index housing_listings_open_idx on housing_listings (created_at desc) where status = 'open';
