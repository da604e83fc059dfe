-- Volunteering missions. A mission (title, cause, who publishes it, place or remote, skills) has
-- slots, and each slot is an offer of the "benevolat" category: booking a slot is booking that
-- offer, under the offers' booking rules (row lock, capacity, waiting list, reminders), and a
-- network mission's slots federate as the offers' Events. The mission's own table keeps what an
-- offer does not say.
insert into offer_categories (slug, name_fr, name_en, position)
values ('benevolat', 'Bénévolat', 'Volunteering', 90)
on conflict (slug) do nothing;

create table missions (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  cause text not null,
  organiser text not null,
  description text not null default '',
  remote boolean not null default false,
  postal_code text,
  city text not null default '',
  latitude double precision,
  longitude double precision,
  skills text not null default '',
  network boolean not null default false,
  created_by uuid references users (id) on delete set null,
  status text not null default 'open' check (status in ('open', 'closed')),
  removed_reason text,
  created_at timestamptz not null default now()
);
create index missions_cause_idx on missions (cause, created_at desc);

create table mission_slots (
  mission_id uuid not null references missions (id) on delete cascade,
  offer_id uuid primary key references offers (id) on delete cascade,
  duration_minutes integer not null check (duration_minutes > 0)
);
create index mission_slots_mission_idx on mission_slots (mission_id);
