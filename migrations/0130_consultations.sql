-- Consultations (ADR 0130): staff ask members questions (single or multiple choice, ranking,
-- scale 1–5, short text), with an introduction, documents, an audience, dates, an optional quorum
-- and rules shown before answering. Ballots are secret: `consultation_ballots` holds the answers
-- and nothing about the voter; `consultation_participations` records who took part (one row per
-- member: the primary key refuses a second vote). No column links the two tables.
create table consultations (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(title) between 3 and 150),
  intro text not null default '',
  rules text not null default '',
  -- Links to documents ({ "title": …, "url": … }), to decide informed.
  documents jsonb not null default '[]',
  audience text not null default 'instance' check (audience in ('instance', 'network', 'offer')),
  offer_id uuid references offers (id) on delete cascade,
  status text not null default 'draft' check (status in ('draft', 'open', 'closed')),
  opens_at timestamptz not null,
  closes_at timestamptz not null,
  quorum integer check (quorum is null or quorum between 1 and 10000000),
  -- What the organiser decided and why, published after the close.
  response text,
  response_at timestamptz,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (closes_at > opens_at),
  check ((audience = 'offer') = (offer_id is not null))
);
create index consultations_closes_idx on consultations (closes_at desc);
create index consultations_offer_idx on consultations (offer_id) where offer_id is not null;

create table consultation_questions (
  id uuid primary key default gen_random_uuid(),
  consultation_id uuid not null references consultations (id) on delete cascade,
  position integer not null,
  kind text not null check (kind in ('single', 'multiple', 'ranking', 'scale', 'text')),
  prompt text not null check (char_length(prompt) between 1 and 500),
  options jsonb not null default '[]',
  -- Multiple choice: at most this many options ticked.
  max_choices integer check (max_choices is null or max_choices >= 1),
  unique (consultation_id, position)
);

-- One row per ballot. A random id, the day only (not the time) and the channel: nothing orders
-- ballots against participations or names a voter.
create table consultation_ballots (
  id uuid primary key default gen_random_uuid(),
  consultation_id uuid not null references consultations (id) on delete cascade,
  channel text not null check (channel in ('online', 'paper', 'network')),
  -- For network ballots: the member's instance (the per-instance counts are published).
  instance_host text,
  answers jsonb not null,
  cast_on date not null default current_date
);
create index consultation_ballots_consultation_idx on consultation_ballots (consultation_id);

create table consultation_participations (
  consultation_id uuid not null references consultations (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (consultation_id, user_id)
);

-- Paper ballots entered by staff: who entered how many, when (the ballots themselves are rows of
-- consultation_ballots with channel 'paper', not linked to the batch).
create table consultation_paper_batches (
  id uuid primary key default gen_random_uuid(),
  consultation_id uuid not null references consultations (id) on delete cascade,
  entered_by uuid references users (id) on delete set null,
  entered_by_name text not null,
  ballots integer not null check (ballots between 1 and 10000),
  note text not null default '',
  created_at timestamptz not null default now()
);
create index consultation_paper_batches_idx on consultation_paper_batches (consultation_id);
