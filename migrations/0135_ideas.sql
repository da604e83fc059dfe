-- The idea box (ADR 0135): members propose ideas (for activities, or for how the CMCAS works),
-- support them (one support each, never their own: the primary key makes it safe under
-- concurrency) and discuss them in a topic of the forums. Past the admin's threshold an open idea
-- awaits an official answer; every answer is kept with its status, its text and who gave it.
create table ideas (
  id uuid primary key default gen_random_uuid(),
  author_id uuid references users (id) on delete set null,
  category text not null check (category in ('activities', 'functioning')),
  title text not null,
  body text not null,
  status text not null default 'open'
    check (status in ('open', 'studying', 'accepted', 'done', 'declined')),
  supports integer not null default 0 check (supports >= 0),
  topic_id uuid references forum_topics (id) on delete set null,
  removed_reason text,
  created_at timestamptz not null default now()
);
create index ideas_status_idx on ideas (status, supports desc);

create table idea_supports (
  idea_id uuid not null references ideas (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (idea_id, user_id)
);
create index idea_supports_user_idx on idea_supports (user_id);

create table idea_answers (
  id uuid primary key default gen_random_uuid(),
  idea_id uuid not null references ideas (id) on delete cascade,
  status text not null check (status in ('studying', 'accepted', 'done', 'declined')),
  body text not null,
  answered_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  -- A declined idea always says why.
  check (status <> 'declined' or length(trim(body)) > 0)
);
create index idea_answers_idea_idx on idea_answers (idea_id, created_at);

-- The forum group that holds every idea's discussion (opened on the first comment).
create table idea_forum (
  id smallint primary key default 1 check (id = 1),
  group_id uuid references forum_groups (id) on delete set null
);
insert into idea_forum default values;
