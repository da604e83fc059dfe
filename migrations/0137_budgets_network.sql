-- Participatory budgets opened to the network (ADR 0133, 0136; issue 13 item 5). On the
-- organiser: a budget's audience (its own members, or the network's through the hub), network
-- ballots (source `network`, with the sending instance), the per-member tokens that refuse a
-- second vote or a replay (as consultations', 0131), refusals counted per instance and reason,
-- and the mark of each budget published at its vote's opening. On a member instance: the
-- budgets of the network it received, and who among its members voted (never their choice).
alter table budgets add column audience text not null default 'instance'
  check (audience in ('instance', 'network'));

alter table budget_ballots add column instance_host text;
alter table budget_ballots drop constraint budget_ballots_source_check;
alter table budget_ballots add constraint budget_ballots_source_check
  check (source in ('online', 'paper', 'network'));
-- 0136's "a non-online ballot has its entry time" meant "a paper ballot": a network ballot, like
-- an online one, carries no time (ADR 0133). That check is the table's second one, unnamed.
alter table budget_ballots drop constraint budget_ballots_check1;
alter table budget_ballots add constraint budget_ballots_paper_entered_check
  check (source <> 'paper' or entered_at is not null);
alter table budget_ballots add constraint budget_ballots_network_host_check
  check ((source = 'network') = (instance_host is not null));

create table budget_network_votes (
  budget_id uuid not null references budgets (id) on delete cascade,
  instance_host text not null,
  token text not null check (char_length(token) between 20 and 100),
  created_at timestamptz not null default now(),
  primary key (budget_id, token)
);
create index budget_network_votes_host_idx on budget_network_votes (budget_id, instance_host);

create table budget_network_refusals (
  budget_id uuid not null references budgets (id) on delete cascade,
  instance_host text not null,
  reason text not null,
  count integer not null default 1,
  primary key (budget_id, instance_host, reason)
);

-- A network budget sent to the network at its vote's opening (once: the insert is the mark).
create table budget_publications (
  budget_id uuid primary key references budgets (id) on delete cascade,
  published_at timestamptz not null default now()
);

create table budget_remote (
  id uuid primary key default gen_random_uuid(),
  uri text not null unique,
  url text not null,
  organiser_uri text not null,
  territory text not null,
  title text not null,
  description text not null default '',
  envelope integer not null check (envelope > 0),
  rule text not null check (rule in ('knapsack', 'approval')),
  -- The projects frozen at the vote's opening: [{ id, title, cost, url }].
  projects jsonb not null default '[]',
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  closed boolean not null default false,
  -- The counts the organiser published at close ({ ballots, byChannel, byInstance, projects }).
  results jsonb,
  received_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index budget_remote_ends_idx on budget_remote (ends_at desc);

create table budget_remote_participations (
  remote_id uuid not null references budget_remote (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  -- The vote activity sent, and the organiser's refusal when it sent a Reject.
  activity_id text not null,
  refused text,
  created_at timestamptz not null default now(),
  primary key (remote_id, user_id)
);
