-- Tutorial contests (ADR 0110): staff open one with a theme, rules, prizes and dates; members
-- enter their published tutorials until submissions close, then vote until the close date: one
-- vote per member per contest (the primary key holds it under concurrent votes), never for an
-- entry they wrote. Results (vote counts) are shown once the vote has closed.
create table tutorial_contests (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(title) between 3 and 150),
  theme text not null default '',
  rules text not null default '',
  prizes text not null default '',
  submissions_end_at timestamptz not null,
  votes_end_at timestamptz not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (votes_end_at > submissions_end_at)
);
create index tutorial_contests_votes_end_idx on tutorial_contests (votes_end_at desc);

create table tutorial_contest_entries (
  contest_id uuid not null references tutorial_contests (id) on delete cascade,
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  entered_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (contest_id, tutorial_id)
);

create table tutorial_contest_votes (
  contest_id uuid not null references tutorial_contests (id) on delete cascade,
  voter_id uuid not null references users (id) on delete cascade,
  tutorial_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (contest_id, voter_id),
  foreign key (contest_id, tutorial_id)
    references tutorial_contest_entries (contest_id, tutorial_id) on delete cascade
);
create index tutorial_contest_votes_entry_idx on tutorial_contest_votes (contest_id, tutorial_id);
