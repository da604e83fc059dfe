-- Reviews of an offer by its participants, and the log of their moderation. These tables were
-- created by the core's 0010_offers.sql before reviews became a plugin: on such instances this
-- file finds them there and changes nothing (if not exists); from now on they are the plugin's.
create table if not exists offer_reviews (
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

create table if not exists offer_review_moderation (
  id uuid primary key default gen_random_uuid(),
  review_id uuid not null references offer_reviews (id) on delete cascade,
  moderator_id uuid references users (id) on delete set null,
  action text not null check (action in ('hide', 'show')),
  reason text not null,
  created_at timestamptz not null default now()
);
create index if not exists offer_review_moderation_review_idx
  on offer_review_moderation (review_id, created_at);
