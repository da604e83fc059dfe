-- Albums after an activity (ADR 0110): once an offer has ended, its participants add photos
-- with a caption and alt text, through the offers' image pipeline. Participants and staff see
-- them all; everyone else sees only those whose author agreed to show them publicly. The author
-- or staff (with a reason told to the author) remove one.
create table offer_album_photos (
  id uuid primary key default gen_random_uuid(),
  offer_id uuid not null references offers (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  caption text not null default '' check (char_length(caption) <= 500),
  alt text not null check (char_length(alt) between 1 and 300),
  public boolean not null default false,
  content_type text not null,
  data bytea not null,
  removed_at timestamptz,
  removal_reason text,
  created_at timestamptz not null default now(),
  check ((removed_at is null) = (removal_reason is null))
);
create index offer_album_photos_offer_idx on offer_album_photos (offer_id, created_at);

create table offer_album_variants (
  photo_id uuid not null references offer_album_photos (id) on delete cascade,
  size text not null check (size in ('card', 'page', 'federation')),
  content_type text not null,
  width integer not null,
  height integer not null,
  data bytea not null,
  primary key (photo_id, size)
);
