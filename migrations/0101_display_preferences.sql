-- Each member's reading comfort (many members are pensioners): a larger text and a high
-- contrast, remembered with the account and applied to every page once signed in.
create table member_display_preferences (
  user_id uuid primary key references users (id) on delete cascade,
  text_size text not null default 'normal' check (text_size in ('normal', 'large', 'larger')),
  high_contrast boolean not null default false,
  updated_at timestamptz not null default now()
);
