-- Offers (activités): categories, offers, images, registrations with their persons and waiting
-- list, last-minute subscriptions, calendar feeds, reviews and their moderation log.

create table offer_categories (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9-]{2,40}$'),
  name_fr text not null,
  name_en text not null,
  position integer not null default 0,
  archived_at timestamptz,
  created_at timestamptz not null default now()
);
insert into offer_categories (slug, name_fr, name_en, position) values
  ('sejours', 'Séjours et vacances', 'Stays and holidays', 10),
  ('culture', 'Culture et spectacles', 'Culture and shows', 20),
  ('sport', 'Sport', 'Sport', 30),
  ('loisirs', 'Loisirs et sorties', 'Leisure and outings', 40),
  ('jeunesse', 'Jeunesse', 'Youth', 50),
  ('pensionnes', 'Pensionnés', 'Pensioners', 60),
  ('solidarite', 'Solidarité', 'Solidarity', 70),
  ('ateliers', 'Ateliers et formation', 'Workshops and training', 80);

-- Instance settings of the feature (one row).
create table offer_settings (
  id smallint primary key default 1 check (id = 1),
  last_minute_days integer not null default 3 check (last_minute_days between 1 and 30),
  reminder_days integer not null default 2 check (reminder_days between 1 and 30)
);
insert into offer_settings default values;

create table offers (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(title) between 3 and 150),
  summary text not null default '',
  -- Sanitized when written (sanitize-html); the plain text feeds the search index.
  description_html text not null default '',
  description_text text not null default '',
  category_id uuid not null references offer_categories (id),
  audiences text[] not null default '{tous}'
    check (audiences <@ array['familles', 'jeunes', 'pensionnes', 'tous']),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  timezone text not null default 'Europe/Paris',
  registration_opens_at timestamptz,
  registration_closes_at timestamptz,
  cancellation_deadline timestamptz,
  location_kind text not null default 'place' check (location_kind in ('place', 'online')),
  address text not null default '',
  postal_code text,
  city text not null default '',
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  online_url text,
  capacity integer not null check (capacity between 1 and 100000),
  max_persons_per_registration integer not null default 1
    check (max_persons_per_registration between 1 and 50),
  min_age integer check (min_age between 0 and 120),
  max_age integer check (max_age between 0 and 120),
  -- [] is free; otherwise [{"upTo": coefficient or null, "price": cents}], by rising band.
  price_tiers jsonb not null default '[]',
  min_price_cents integer not null default 0 check (min_price_cents >= 0),
  organiser_slvie_id uuid references slvies (id) on delete set null,
  status text not null default 'draft'
    check (status in ('draft', 'published', 'cancelled', 'completed')),
  visibility text not null default 'public' check (visibility in ('public', 'network', 'local')),
  -- Persons holding a confirmed place; changed only under this row's lock (FOR UPDATE).
  places_taken integer not null default 0,
  last_minute_announced_at timestamptz,
  cancellation_reason text,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  search tsvector generated always as (
    setweight(to_tsvector('maillage_fr', title), 'A')
      || setweight(to_tsvector('maillage_fr', summary), 'B')
      || setweight(to_tsvector('maillage_fr', city), 'B')
      || setweight(to_tsvector('maillage_fr', description_text), 'C')
  ) stored,
  check (ends_at >= starts_at),
  check (min_age is null or max_age is null or min_age <= max_age),
  -- The capacity is never exceeded, whatever the code above does.
  check (places_taken between 0 and capacity)
);
create index offers_published_start_idx on offers (starts_at, id) where status = 'published';
-- Counting the default catalogue (still running, by visibility) from the index alone.
create index offers_published_ends_idx on offers (ends_at, visibility) where status = 'published';
create index offers_category_start_idx on offers (category_id, starts_at) where status = 'published';
create index offers_status_start_idx on offers (status, starts_at desc);
create index offers_search_idx on offers using gin (search);
create index offers_geo_idx on offers using gist (ll_to_earth(latitude, longitude))
  where latitude is not null and longitude is not null;

create table offer_images (
  id uuid primary key default gen_random_uuid(),
  offer_id uuid not null references offers (id) on delete cascade,
  data bytea not null,
  content_type text not null,
  alt text not null default '',
  position integer not null default 0,
  created_at timestamptz not null default now()
);
create index offer_images_offer_idx on offer_images (offer_id, position);

-- A registrant is a local member (user_id) or, once federation books here, a member of another
-- instance known by its actor URL; the capacity rules are the same for both.
create table offer_registrations (
  id uuid primary key default gen_random_uuid(),
  -- Arrival order: the waiting list is served by this number.
  seq bigint generated always as identity,
  offer_id uuid not null references offers (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  actor_url text,
  actor_name text,
  actor_instance text,
  persons integer not null check (persons between 1 and 50),
  status text not null check (status in ('confirmed', 'waitlisted', 'cancelled')),
  cancelled_by text check (cancelled_by in ('member', 'staff', 'offer')),
  added_by_staff boolean not null default false,
  attended boolean,
  reminded_at timestamptz,
  created_at timestamptz not null default now(),
  confirmed_at timestamptz,
  cancelled_at timestamptz,
  check ((user_id is null) <> (actor_url is null)),
  check (actor_url is null or (actor_name is not null and actor_instance is not null))
);
create unique index offer_registrations_member_key on offer_registrations (offer_id, user_id)
  where status <> 'cancelled' and user_id is not null;
create unique index offer_registrations_actor_key on offer_registrations (offer_id, actor_url)
  where status <> 'cancelled' and actor_url is not null;
create index offer_registrations_queue_idx on offer_registrations (offer_id, status, seq);
create index offer_registrations_user_idx on offer_registrations (user_id, status);

-- Who comes: the member, family members (ayants droit), or unnamed persons (a count).
create table offer_registration_persons (
  id uuid primary key default gen_random_uuid(),
  registration_id uuid not null references offer_registrations (id) on delete cascade,
  is_member boolean not null default false,
  family_member_id uuid references family_members (id) on delete set null,
  -- A copy, so that the list stays readable when the family member is later removed.
  first_name text not null default '',
  birth_year integer check (birth_year between 1900 and 2200)
);
create index offer_registration_persons_reg_idx on offer_registration_persons (registration_id);

create table offer_category_subscriptions (
  user_id uuid not null references users (id) on delete cascade,
  category_id uuid not null references offer_categories (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, category_id)
);
create index offer_category_subscriptions_category_idx on offer_category_subscriptions (category_id);

-- A subscriber hears about the last-minute places of one offer once.
create table offer_last_minute_notices (
  offer_id uuid not null references offers (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (offer_id, user_id)
);

-- The secret address of a member's calendar of registrations.
create table offer_calendar_feeds (
  user_id uuid primary key references users (id) on delete cascade,
  token text not null unique,
  created_at timestamptz not null default now()
);

create table offer_messages (
  id uuid primary key default gen_random_uuid(),
  offer_id uuid not null references offers (id) on delete cascade,
  sender_id uuid references users (id) on delete set null,
  body text not null,
  recipients integer not null,
  created_at timestamptz not null default now()
);
create index offer_messages_offer_idx on offer_messages (offer_id, created_at desc);

create table offer_reviews (
  id uuid primary key default gen_random_uuid(),
  offer_id uuid not null references offers (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  comment text not null default '',
  hidden_at timestamptz,
  hidden_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (offer_id, user_id),
  check ((hidden_at is null) = (hidden_reason is null))
);

create table offer_review_moderation (
  id uuid primary key default gen_random_uuid(),
  review_id uuid not null references offer_reviews (id) on delete cascade,
  moderator_id uuid references users (id) on delete set null,
  action text not null check (action in ('hide', 'show')),
  reason text not null,
  created_at timestamptz not null default now()
);
create index offer_review_moderation_review_idx on offer_review_moderation (review_id, created_at);
