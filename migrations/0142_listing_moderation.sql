-- Moderation of the solidarity plugins' listings (server/moderation), one shared pair of tables:
-- members report a listing with a reason; a moderator removes (or restores) it with a reason that
-- is told to its author and written in the plugin's public log. `module` names the plugin,
-- `listing_id` its listing (no foreign key: each plugin has its own tables).
create table listing_reports (
  id uuid primary key default gen_random_uuid(),
  module text not null,
  listing_id uuid not null,
  reporter_id uuid references users (id) on delete set null,
  reason text not null,
  closed_at timestamptz,
  created_at timestamptz not null default now()
);
create index listing_reports_open_idx on listing_reports (module, created_at) where closed_at is null;

create table listing_moderation_log (
  id uuid primary key default gen_random_uuid(),
  module text not null,
  listing_id uuid not null,
  listing_title text not null,
  moderator_id uuid references users (id) on delete set null,
  action text not null check (action in ('remove', 'restore')),
  reason text not null,
  created_at timestamptz not null default now()
);
create index listing_moderation_log_idx on listing_moderation_log (module, created_at desc);
