-- Projects proposed to a network budget by members of other instances (ADR 0138, issue 13).
-- On the organiser: a project received from another instance has no local author; it keeps the
-- sending instance (shown to staff and in the lists), the instance actor to answer, the name the
-- member agreed to show, and the proposal activity's id, whose uniqueness refuses a replay. The
-- mark of each network budget sent out at its proposals' opening (once: the insert is the mark).
alter table budget_projects add column origin_host text;
alter table budget_projects add column origin_actor text;
alter table budget_projects add column origin_activity text unique;
alter table budget_projects add column origin_name text;
alter table budget_projects add constraint budget_projects_origin_check
  check (
    (origin_host is null) = (origin_activity is null)
    and (origin_host is null) = (origin_actor is null)
    and (origin_host is null) = (origin_name is null)
  );
create index budget_projects_origin_idx on budget_projects (budget_id, origin_host, status)
  where origin_host is not null;

create table budget_proposal_publications (
  budget_id uuid primary key references budgets (id) on delete cascade,
  published_at timestamptz not null default now()
);

-- On a member instance: the proposals phase of a network budget as its Question gives it (kept
-- apart from budget_remote, by the Question's URI), and what its members proposed there, with
-- the organiser's decision (accepted; rejected by its staff with the public reason; refused on
-- receipt, with the reason's code).
create table budget_remote_phases (
  uri text primary key,
  organiser_uri text not null,
  proposals_open_at timestamptz not null,
  proposals_close_at timestamptz not null,
  check (proposals_open_at < proposals_close_at)
);

create table budget_remote_proposals (
  id uuid primary key default gen_random_uuid(),
  remote_id uuid not null references budget_remote (id) on delete cascade,
  user_id uuid references users (id) on delete set null,
  activity_id text not null unique,
  title text not null,
  description text not null,
  cost integer not null check (cost > 0),
  shown_name text not null,
  status text not null default 'sent' check (status in ('sent', 'accepted', 'rejected', 'refused')),
  reason text,
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create index budget_remote_proposals_user_idx on budget_remote_proposals (remote_id, user_id);
