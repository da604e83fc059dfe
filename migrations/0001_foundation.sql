-- Foundation: instance settings, accounts, sessions, tokens, job queue, French search.
create extension if not exists unaccent;
create extension if not exists pg_trgm;
create extension if not exists cube;
create extension if not exists earthdistance;

-- French full-text search that ignores accents: "sejours" matches "Séjour".
create text search configuration maillage_fr (copy = french);
alter text search configuration maillage_fr
  alter mapping for hword, hword_part, word with unaccent, french_stem;

create table instance_settings (
  id smallint primary key default 1 check (id = 1),
  name text not null,
  description text not null default '',
  territory text not null default '',
  contact_email text not null default '',
  logo bytea,
  logo_type text,
  accent_color text not null default '#0b5fa5',
  registration_mode text not null default 'open'
    check (registration_mode in ('open', 'invitation', 'closed')),
  session_secret text not null,
  updated_at timestamptz not null default now()
);

create table slvies (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);
create unique index slvies_name_key on slvies (lower(name));

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  email_confirmed_at timestamptz,
  password_hash text not null,
  username text not null,
  display_name text not null,
  role text not null default 'member' check (role in ('member', 'staff', 'moderator', 'admin')),
  home_slvie_id uuid references slvies (id) on delete set null,
  language text not null default 'fr' check (language in ('fr', 'en')),
  notification_prefs jsonb not null default '{}',
  discoverable boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
create unique index users_username_key on users (lower(username));
create index users_role_idx on users (role);

create table family_members (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  first_name text not null,
  relation text not null check (relation in ('spouse', 'child', 'parent', 'other')),
  birth_year integer not null check (birth_year between 1900 and 2200),
  created_at timestamptz not null default now()
);
create index family_members_user_idx on family_members (user_id);

create table email_tokens (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('confirm', 'reset')),
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index email_tokens_user_idx on email_tokens (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

create table invitations (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null unique,
  email text,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  used_by uuid references users (id) on delete set null
);

create table sessions (
  sid text primary key,
  sess jsonb not null,
  user_id uuid references users (id) on delete cascade,
  expires_at timestamptz not null
);
create index sessions_expires_idx on sessions (expires_at);
create index sessions_user_idx on sessions (user_id);

-- Durable job queue used when no Redis is configured.
create table jobs (
  id bigint generated always as identity primary key,
  type text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null,
  run_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_ready_idx on jobs (run_at) where status in ('pending', 'running');
create index jobs_finished_idx on jobs (finished_at) where status in ('done', 'failed');
