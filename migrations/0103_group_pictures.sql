-- A forum group's picture (issue 17), set by its moderators; kept only as re-encoded square
-- sizes, like members' avatars (0102). Groups already have a description.
create table group_pictures (
  group_id uuid not null references forum_groups (id) on delete cascade,
  size text not null check (size in ('small', 'large')),
  content_type text not null,
  width integer not null,
  height integer not null,
  data bytea not null,
  created_at timestamptz not null default now(),
  primary key (group_id, size)
);
