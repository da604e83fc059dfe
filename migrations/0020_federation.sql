-- Federation: Fedify's key-value store, actor keys, domain policy, remote actors, follows,
-- the outbox of local actors, delivery tracking, and notes received from followed people.

-- Fedify's cache and bookkeeping (idempotence, remote documents, public keys). Keys are the
-- parts of Fedify's key joined by U+001F.
create table federation_kv (
  key text primary key,
  value jsonb not null,
  expires_at timestamptz
);
create index federation_kv_expires_idx on federation_kv (expires_at) where expires_at is not null;

-- Key pairs of local actors, generated once. Order of use: RSA first (#main-key), Ed25519 second.
create table federation_keys (
  actor text not null,
  algorithm text not null check (algorithm in ('RSASSA-PKCS1-v1_5', 'Ed25519')),
  public_jwk jsonb not null,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  primary key (actor, algorithm)
);

create table federation_domains (
  domain text primary key,
  policy text not null check (policy in ('allow', 'block')),
  source text not null default 'admin' check (source in ('config', 'admin')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table federation_remote_actors (
  id bigint generated always as identity primary key,
  uri text not null unique,
  host text not null,
  type text not null,
  username text not null,
  name text not null default '',
  summary text not null default '',
  url text,
  icon_url text,
  inbox text not null,
  shared_inbox text,
  outbox text,
  followers_url text,
  fetched_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);
create index federation_remote_actors_host_idx on federation_remote_actors (host);

-- Follows between a local actor ('instance', 'cmcas' or a member's id) and a remote actor.
create table federation_follows (
  id bigint generated always as identity primary key,
  local_actor text not null,
  local_user_id uuid references users (id) on delete cascade,
  remote_actor_id bigint not null references federation_remote_actors (id) on delete cascade,
  direction text not null check (direction in ('outgoing', 'incoming')),
  state text not null check (state in ('pending', 'accepted', 'rejected')),
  activity_id text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (local_actor, remote_actor_id, direction)
);
create index federation_follows_remote_idx on federation_follows (remote_actor_id, direction, state);
create index federation_follows_activity_idx on federation_follows (activity_id);
create index federation_follows_local_idx on federation_follows (local_actor, direction, state);

-- Every activity a local actor sends. Public ones make the actor's outbox collection; rows not
-- yet dispatched after a crash are picked up again by the periodic sweep.
create table federation_outbox (
  id bigint generated always as identity primary key,
  actor text not null,
  activity_id text not null unique,
  activity_type text not null,
  activity jsonb not null,
  to_followers boolean not null,
  recipients jsonb not null default '[]',
  public boolean not null,
  object_extras jsonb,
  dispatched_at timestamptz,
  created_at timestamptz not null default now()
);
create index federation_outbox_public_idx on federation_outbox (actor, id) where public;
create index federation_outbox_pending_idx on federation_outbox (created_at) where dispatched_at is null;

-- One row per (activity, target inbox); the id is Fedify's queued message id, kept across retries.
create table federation_deliveries (
  id uuid primary key,
  host text not null,
  inbox text not null,
  activity_id text,
  activity_type text not null,
  status text not null check (status in ('pending', 'failing', 'delivered', 'dead')),
  attempts integer not null default 0,
  last_error text,
  message jsonb not null,
  next_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index federation_deliveries_host_idx on federation_deliveries (host, status);
create index federation_deliveries_finished_idx on federation_deliveries (updated_at)
  where status in ('delivered', 'dead');

create table federation_remote_notes (
  uri text primary key,
  actor_id bigint not null references federation_remote_actors (id) on delete cascade,
  content text not null,
  summary text not null default '',
  url text,
  published_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index federation_remote_notes_actor_idx
  on federation_remote_notes (actor_id, published_at desc);
