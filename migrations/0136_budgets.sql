-- Participatory budgets (ADR 0135): an envelope in euros, phases with dates (proposals, staff
-- review, vote, then results and follow-up), a counting rule fixed at creation ("knapsack":
-- choose projects up to the envelope; "approval": approve any number). Ballots are secret: a
-- ballot row names no voter and carries no time, and a separate participation row (one per
-- member and budget) prevents voting twice; both are written in one transaction. Paper ballots
-- are ballots too, counted apart, with who entered them and when.
create table budgets (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  description text not null default '',
  envelope integer not null check (envelope > 0),
  rule text not null check (rule in ('knapsack', 'approval')),
  proposals_open_at timestamptz not null,
  proposals_close_at timestamptz not null,
  vote_open_at timestamptz not null,
  vote_close_at timestamptz not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (proposals_open_at < proposals_close_at),
  check (proposals_close_at <= vote_open_at),
  check (vote_open_at < vote_close_at)
);

create table budget_projects (
  id uuid primary key default gen_random_uuid(),
  budget_id uuid not null references budgets (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  title text not null,
  description text not null,
  cost integer not null check (cost > 0),
  status text not null default 'submitted' check (status in ('submitted', 'accepted', 'rejected')),
  rejection_reason text,
  reviewed_by uuid references users (id) on delete set null,
  reviewed_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  check (status <> 'rejected' or length(trim(rejection_reason)) > 0)
);
create index budget_projects_budget_idx on budget_projects (budget_id, status);

create table budget_participations (
  budget_id uuid not null references budgets (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  primary key (budget_id, user_id)
);

create table budget_ballots (
  id uuid primary key default gen_random_uuid(),
  budget_id uuid not null references budgets (id) on delete cascade,
  source text not null check (source in ('online', 'paper')),
  entered_by uuid references users (id) on delete set null,
  entered_at timestamptz,
  -- An online ballot says nothing of who cast it, nor when.
  check (source = 'paper' or (entered_by is null and entered_at is null)),
  check (source = 'online' or entered_at is not null)
);
create index budget_ballots_budget_idx on budget_ballots (budget_id, source);

create table budget_ballot_choices (
  ballot_id uuid not null references budget_ballots (id) on delete cascade,
  project_id uuid not null references budget_projects (id) on delete cascade,
  primary key (ballot_id, project_id)
);
create index budget_ballot_choices_project_idx on budget_ballot_choices (project_id);

create table budget_project_updates (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references budget_projects (id) on delete cascade,
  status text not null check (status in ('planned', 'in_progress', 'done', 'abandoned')),
  note text not null,
  happened_on date not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index budget_project_updates_idx on budget_project_updates (project_id, happened_on);
