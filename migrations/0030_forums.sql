-- Forums: groups, topics, posts, reactions, attachments, reading state, moderation.
-- Every row that federation may bring from elsewhere already has its place: `ap_id` (the
-- ActivityPub id, null for local objects until federation gives them one), `host` (null when
-- local) and remote-author columns (`*_ap_id`, `*_name`, `*_url`) beside the local `*_id` ones.

-- The French stemmer keeps the plural "s" after a vowel ("vélos" stays "velos" while "vélo" gives
-- "velo"), so forum search folds a final s or x of lexemes of four letters or more, on both the
-- documents and the queries. Weights and positions are kept (the text form carries them).
create or replace function maillage_fold_plurals(v tsvector) returns tsvector
  language sql immutable strict parallel safe
  as $$ select regexp_replace(v::text, '''([^'']{3,})[sx]''', '''\1''', 'g')::tsvector $$;
create or replace function maillage_fold_plurals(q tsquery) returns tsquery
  language sql immutable strict parallel safe
  as $$ select regexp_replace(q::text, '''([^'']{3,})[sx]''', '''\1''', 'g')::tsquery $$;

create table forum_groups (
  id uuid primary key default gen_random_uuid(),
  -- The local part of the group actor's handle (@slug@host); never changes once created.
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9_]{1,48}[a-z0-9]$'),
  -- Null for groups of this instance; the remote host for groups followed elsewhere.
  host text,
  ap_id text unique,
  url text,
  name text not null,
  description_source text not null default '',
  description_html text not null default '',
  rules_source text not null default '',
  rules_html text not null default '',
  visibility text not null check (visibility in ('public', 'network', 'local', 'private')),
  -- Who may post: everyone who joined, members reply but only moderators open topics, or only
  -- moderators.
  post_policy text not null default 'members'
    check (post_policy in ('members', 'replies', 'moderators')),
  join_policy text not null default 'open' check (join_policy in ('open', 'approval', 'invitation')),
  -- The offer whose "groupe de l'activité" this is (no foreign key: offers live in their module).
  offer_id uuid,
  created_by uuid references users (id) on delete set null,
  topic_count integer not null default 0,
  member_count integer not null default 0,
  last_activity_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (visibility <> 'private' or join_policy <> 'open'),
  check ((host is null) or (ap_id is not null))
);
create unique index forum_groups_local_slug_key on forum_groups (slug) where host is null;
create unique index forum_groups_remote_slug_key on forum_groups (slug, host) where host is not null;
create unique index forum_groups_offer_key on forum_groups (offer_id) where offer_id is not null;
create index forum_groups_activity_idx on forum_groups (last_activity_at desc);

-- A local member (user_id) or a remote actor following the group (actor_ap_id).
create table forum_memberships (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references forum_groups (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  actor_ap_id text,
  role text not null default 'member' check (role in ('member', 'moderator')),
  -- 'pending': asked to join (or Follow sent, awaiting Accept); 'invited': awaits the member.
  state text not null default 'active' check (state in ('active', 'pending', 'invited')),
  -- How the row came: offer sync only removes rows it added.
  origin text not null default 'self' check (origin in ('self', 'invitation', 'offer', 'creator')),
  created_at timestamptz not null default now(),
  check ((user_id is null) <> (actor_ap_id is null))
);
create unique index forum_memberships_user_key on forum_memberships (group_id, user_id)
  where user_id is not null;
create unique index forum_memberships_actor_key on forum_memberships (group_id, actor_ap_id)
  where actor_ap_id is not null;
create index forum_memberships_user_idx on forum_memberships (user_id);

create table forum_topics (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references forum_groups (id) on delete cascade,
  title text not null,
  -- FEP-7888 thread context (the collection of the thread's posts).
  context text unique,
  author_id uuid references users (id) on delete set null,
  author_ap_id text,
  author_name text,
  post_count integer not null default 0,
  last_post_at timestamptz not null default now(),
  pinned_at timestamptz,
  locked_at timestamptz,
  removed_at timestamptz,
  created_at timestamptz not null default now()
);
create index forum_topics_group_idx on forum_topics (group_id, pinned_at desc nulls last, last_post_at desc);

create table forum_posts (
  id uuid primary key default gen_random_uuid(),
  topic_id uuid not null references forum_topics (id) on delete cascade,
  group_id uuid not null references forum_groups (id) on delete cascade,
  -- 1 is the opening post of the topic; replies follow in arrival order.
  position integer not null,
  ap_id text unique,
  url text,
  author_id uuid references users (id) on delete set null,
  author_ap_id text,
  author_name text,
  author_url text,
  in_reply_to_id uuid references forum_posts (id) on delete set null,
  -- Kept when the parent is not known here yet (a federated reply to an unfetched post).
  in_reply_to_ap_id text,
  quote_of_id uuid references forum_posts (id) on delete set null,
  -- Markdown written here; null for content that arrived as HTML.
  source text,
  content_html text not null,
  text_plain text not null,
  search tsvector not null,
  edited_at timestamptz,
  removed_at timestamptz,
  removed_by uuid references users (id) on delete set null,
  removal_reason text,
  like_count integer not null default 0,
  created_at timestamptz not null default now(),
  unique (topic_id, position)
);
create index forum_posts_search_idx on forum_posts using gin (search);
create index forum_posts_author_idx on forum_posts (author_id, created_at desc);
create index forum_posts_group_idx on forum_posts (group_id);
create index forum_posts_reply_idx on forum_posts (in_reply_to_id) where in_reply_to_id is not null;

create table forum_mentions (
  post_id uuid not null references forum_posts (id) on delete cascade,
  -- user@host as written; the local user when it names one of ours.
  acct text not null,
  user_id uuid references users (id) on delete cascade,
  actor_ap_id text,
  primary key (post_id, acct)
);

create table forum_reactions (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references forum_posts (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  actor_ap_id text,
  ap_id text unique,
  kind text not null default 'like' check (kind in ('like')),
  created_at timestamptz not null default now(),
  check ((user_id is null) <> (actor_ap_id is null))
);
create unique index forum_reactions_user_key on forum_reactions (post_id, user_id, kind)
  where user_id is not null;
create unique index forum_reactions_actor_key on forum_reactions (post_id, actor_ap_id, kind)
  where actor_ap_id is not null;

-- Images stored in the database, so every web process serves them and backups include them.
create table forum_attachments (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references forum_posts (id) on delete cascade,
  content_type text not null check (content_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
  size integer not null,
  data bytea,
  -- A federated image stays where it is published.
  remote_url text,
  description text not null default '',
  created_at timestamptz not null default now(),
  check ((data is null) <> (remote_url is null))
);
create index forum_attachments_post_idx on forum_attachments (post_id);

create table forum_subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  group_id uuid references forum_groups (id) on delete cascade,
  topic_id uuid references forum_topics (id) on delete cascade,
  created_at timestamptz not null default now(),
  check ((group_id is null) <> (topic_id is null))
);
create unique index forum_subscriptions_group_key on forum_subscriptions (user_id, group_id)
  where group_id is not null;
create unique index forum_subscriptions_topic_key on forum_subscriptions (user_id, topic_id)
  where topic_id is not null;
create index forum_subscriptions_group_idx on forum_subscriptions (group_id) where group_id is not null;
create index forum_subscriptions_topic_idx on forum_subscriptions (topic_id) where topic_id is not null;

-- How far each member has read each topic (unread markers).
create table forum_reads (
  user_id uuid not null references users (id) on delete cascade,
  topic_id uuid not null references forum_topics (id) on delete cascade,
  last_read_position integer not null,
  read_at timestamptz not null default now(),
  primary key (user_id, topic_id)
);

create table forum_bans (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references forum_groups (id) on delete cascade,
  user_id uuid references users (id) on delete cascade,
  actor_ap_id text,
  reason text not null check (length(reason) > 0),
  banned_by uuid references users (id) on delete set null,
  -- Null: until lifted by a moderator.
  expires_at timestamptz,
  lifted_at timestamptz,
  ap_id text unique,
  created_at timestamptz not null default now(),
  check ((user_id is null) <> (actor_ap_id is null))
);
create index forum_bans_group_idx on forum_bans (group_id, user_id);

create table forum_reports (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references forum_groups (id) on delete cascade,
  post_id uuid not null references forum_posts (id) on delete cascade,
  reporter_id uuid references users (id) on delete set null,
  reporter_ap_id text,
  reason text not null check (length(reason) > 0),
  -- What the post said when it was reported (it may be edited afterwards).
  content_snapshot text not null,
  status text not null default 'open' check (status in ('open', 'resolved', 'dismissed')),
  resolved_by uuid references users (id) on delete set null,
  resolution_note text,
  resolved_at timestamptz,
  ap_id text unique,
  -- Set when a report about a remote group's post was sent there (Flag).
  forwarded_at timestamptz,
  created_at timestamptz not null default now()
);
create index forum_reports_open_idx on forum_reports (group_id, created_at) where status = 'open';
create unique index forum_reports_once_key on forum_reports (post_id, reporter_id)
  where status = 'open' and reporter_id is not null;

-- The public moderation log of each group: every action, with its reason.
create table forum_moderation_log (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references forum_groups (id) on delete cascade,
  action text not null check (action in (
    'remove', 'restore', 'lock', 'unlock', 'pin', 'unpin', 'move_out', 'move_in', 'ban', 'unban',
    'dismiss_report'
  )),
  moderator_id uuid references users (id) on delete set null,
  moderator_ap_id text,
  topic_id uuid references forum_topics (id) on delete set null,
  post_id uuid references forum_posts (id) on delete set null,
  -- Shown even if the topic or the member disappears later.
  topic_title text,
  target_name text,
  target_user_id uuid references users (id) on delete set null,
  target_ap_id text,
  reason text not null,
  details jsonb not null default '{}',
  ap_id text unique,
  created_at timestamptz not null default now()
);
create index forum_moderation_log_group_idx on forum_moderation_log (group_id, created_at desc);
