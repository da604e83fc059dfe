-- In-app notification centre, optional e-mail copies, and periodic tasks.
create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  kind text not null,
  data jsonb not null default '{}',
  link text,
  email_category text check (email_category in ('registrations', 'reminders', 'lastMinute', 'forums')),
  -- 'pending' waits for the daily digest; 'sent' was mailed; null means no mail.
  email_state text check (email_state in ('pending', 'sent')),
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index notifications_user_idx on notifications (user_id, created_at desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;
create index notifications_digest_idx on notifications (user_id) where email_state = 'pending';

-- One row per periodic task; a worker claims a due row with an UPDATE so that several worker
-- processes never run the same tick twice.
create table schedules (
  name text primary key,
  next_run_at timestamptz not null
);
