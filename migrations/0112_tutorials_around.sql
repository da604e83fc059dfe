-- Around a tutorial (ADR 0110): its discussion is a topic of the forums (comments get the
-- forums' mentions, likes and justified moderation), "Je l'ai fait !" posts with a photo,
-- favourites, "useful" votes, and the activity (offer) where it is taught.
alter table tutorials add column topic_id uuid references forum_topics (id) on delete set null;
alter table tutorials add column offer_id uuid references offers (id) on delete set null;
create index tutorials_offer_idx on tutorials (offer_id) where offer_id is not null;

-- The forum group that holds every tutorial's discussion (opened on the first comment).
create table tutorial_forum (
  id smallint primary key default 1 check (id = 1),
  group_id uuid references forum_groups (id) on delete set null
);
insert into tutorial_forum default values;

create table tutorial_favourites (
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (tutorial_id, user_id)
);
create index tutorial_favourites_user_idx on tutorial_favourites (user_id, created_at desc);

create table tutorial_useful (
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (tutorial_id, user_id)
);

create table tutorial_made (
  id uuid primary key default gen_random_uuid(),
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  body text not null check (char_length(body) between 1 and 2000),
  removed_at timestamptz,
  removal_reason text,
  created_at timestamptz not null default now(),
  check ((removed_at is null) = (removal_reason is null))
);
create index tutorial_made_tutorial_idx on tutorial_made (tutorial_id, created_at desc);

alter table tutorial_images add column made_id uuid references tutorial_made (id) on delete cascade;
