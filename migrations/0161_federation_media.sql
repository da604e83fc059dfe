-- Our own copies of remote images (attachments, avatars, banners): fetched by a job, re-encoded,
-- kept on disk under DATA_DIR/media; this row says what became of each (ADR 0161).
create table federation_media (
  key text primary key,
  url text not null,
  size text not null,
  state text not null default 'pending',
  content_type text,
  width integer,
  height integer,
  bytes integer,
  error text,
  created_at timestamptz not null default now(),
  fetched_at timestamptz
);

-- Banners of remote actors (`image`), beside their avatar (`icon`).
alter table federation_remote_actors add column image_url text;
