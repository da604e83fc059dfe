-- Personal data: the admin's retention period, members' data exports, and the accounts deleted
-- (their actors answer a Tombstone from then on).
create table privacy_settings (
  id smallint primary key default 1 check (id = 1),
  -- Days after an offer's end before its registrations lose their personal fields.
  registration_retention_days integer not null default 365
    check (registration_retention_days between 30 and 3650),
  updated_at timestamptz not null default now()
);
insert into privacy_settings (id) values (1);

create table data_exports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  step integer not null default 0,
  steps integer not null default 1,
  archive bytea,
  size integer,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  expires_at timestamptz not null
);
create index data_exports_user_idx on data_exports (user_id, created_at desc);
create index data_exports_expires_idx on data_exports (expires_at);

-- No foreign key: the account is gone. The id is the actor's identifier (/users/{id}).
create table deleted_accounts (
  user_id uuid primary key,
  content text not null check (content in ('anonymise', 'remove')),
  deleted_at timestamptz not null default now()
);
