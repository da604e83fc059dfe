-- A member's short bio and avatar (issue 17). The avatar is kept only as its re-encoded square
-- sizes, never as uploaded (a phone photo carries its position); both go with the account.
create table member_bios (
  user_id uuid primary key references users (id) on delete cascade,
  bio text not null check (char_length(bio) <= 300),
  updated_at timestamptz not null default now()
);

create table member_avatars (
  user_id uuid not null references users (id) on delete cascade,
  size text not null check (size in ('small', 'large')),
  content_type text not null,
  width integer not null,
  height integer not null,
  data bytea not null,
  created_at timestamptz not null default now(),
  primary key (user_id, size)
);
