-- Network consultations (ADR 0131, issue 13 item 5). On the organiser: the votes other instances
-- sent, each known only by the sending instance and a per-member token (the HMAC the member's
-- instance computes), so a second vote of one member or a replay is refused by the key; the
-- votes of Mastodon-like software (a Note naming an option), kept apart and counted per the
-- module's setting. On a member instance: the consultations of the network it received, and who
-- among its members took part (never what they answered). The HMAC secret is the instance's own.
create table consultation_network_votes (
  consultation_id uuid not null references consultations (id) on delete cascade,
  instance_host text not null,
  token text not null check (char_length(token) between 20 and 100),
  created_at timestamptz not null default now(),
  primary key (consultation_id, token)
);
create index consultation_network_votes_host_idx
  on consultation_network_votes (consultation_id, instance_host);

-- Refused network votes, counted per instance and reason (published beside the results).
create table consultation_network_refusals (
  consultation_id uuid not null references consultations (id) on delete cascade,
  instance_host text not null,
  reason text not null,
  count integer not null default 1,
  primary key (consultation_id, instance_host, reason)
);

create table consultation_mastodon_votes (
  consultation_id uuid not null references consultations (id) on delete cascade,
  actor_uri text not null,
  option_index integer not null,
  created_at timestamptz not null default now(),
  primary key (consultation_id, actor_uri, option_index)
);

create table consultation_remote (
  id uuid primary key default gen_random_uuid(),
  uri text not null unique,
  url text not null,
  -- The organiser's actor (its inbox receives the votes) and territory, as shown.
  organiser_uri text not null,
  territory text not null,
  title text not null,
  intro text not null default '',
  questions jsonb not null default '[]',
  ends_at timestamptz not null,
  closed boolean not null default false,
  -- Counts the organiser published at close ({ ballots, questions: [{ prompt, options: [...] }] }).
  results jsonb,
  received_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index consultation_remote_ends_idx on consultation_remote (ends_at desc);

create table consultation_remote_participations (
  remote_id uuid not null references consultation_remote (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  -- The vote activity sent, and the organiser's refusal when it sent a Reject.
  activity_id text not null,
  refused text,
  created_at timestamptz not null default now(),
  primary key (remote_id, user_id)
);

-- The key of the per-member tokens: 244 random bits, never sent anywhere.
alter table instance_settings add column vote_secret text not null
  default (replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));
