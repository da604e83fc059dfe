-- In-app messages between two members (server/messages), shared by the solidarity plugins: a
-- conversation is between two accounts about one subject (a ride, a housing offer, a service);
-- contact details are shown only once both have agreed. Pair stored in a fixed order (a < b)
-- so that one subject gives one conversation whoever writes first.
create table conversations (
  id uuid primary key default gen_random_uuid(),
  a_id uuid not null references users (id) on delete cascade,
  b_id uuid not null references users (id) on delete cascade,
  subject text not null,
  context text not null default '',
  link text,
  a_read_at timestamptz,
  b_read_at timestamptz,
  a_shares boolean not null default false,
  b_shares boolean not null default false,
  blocked_by uuid references users (id) on delete set null,
  last_message_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  check (a_id < b_id),
  unique (a_id, b_id, context)
);
create index conversations_a_idx on conversations (a_id, last_message_at desc);
create index conversations_b_idx on conversations (b_id, last_message_at desc);

create table conversation_messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references conversations (id) on delete cascade,
  author_id uuid not null references users (id) on delete cascade,
  body text not null check (length(body) between 1 and 4000),
  created_at timestamptz not null default now()
);
create index conversation_messages_idx on conversation_messages (conversation_id, created_at);

-- A member reports a conversation to the moderators, with a reason; moderators close it.
create table conversation_reports (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references conversations (id) on delete cascade,
  reporter_id uuid references users (id) on delete set null,
  reason text not null,
  closed_at timestamptz,
  closed_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index conversation_reports_open_idx on conversation_reports (created_at) where closed_at is null;
