-- Member import: the CMCAS's members list, one record per member number, linked to the account
-- (members with an e-mail) or to a family member of their household (members without one).
create table member_records (
  member_number text primary key,
  last_name text not null,
  first_name text not null,
  email text,
  birth_year integer not null check (birth_year between 1900 and 2200),
  household text,
  relation text check (relation in ('spouse', 'child', 'parent', 'other')),
  user_id uuid references users (id) on delete set null,
  family_member_id uuid references family_members (id) on delete set null,
  invited_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index member_records_user_key on member_records (user_id);
create index member_records_household_idx on member_records (household);

-- One upload: the file is kept until it has been imported (a dry run keeps it for the real run).
create table member_imports (
  id uuid primary key default gen_random_uuid(),
  created_by uuid references users (id) on delete set null,
  file_name text not null,
  content text,
  total_lines integer not null,
  invalid_lines integer not null default 0,
  status text not null default 'preview'
    check (status in ('preview', 'pending', 'running', 'done', 'failed')),
  dry_run boolean not null default false,
  invite boolean not null default false,
  processed integer not null default 0,
  created_count integer not null default 0,
  updated_count integer not null default 0,
  unchanged_count integer not null default 0,
  error_count integer not null default 0,
  invited_count integer not null default 0,
  report jsonb not null default '{"errors": [], "changes": []}',
  last_error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index member_imports_created_idx on member_imports (created_at);
