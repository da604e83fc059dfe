-- Offer images are re-encoded at upload (no metadata: a phone photo carries its GPS position)
-- and kept in sized variants: cards, the offer page, and other instances (ADR 0086). Images
-- stored before get theirs the first time one is asked for.
create table offer_image_variants (
  image_id uuid not null references offer_images (id) on delete cascade,
  size text not null check (size in ('card', 'page', 'federation')),
  content_type text not null,
  width integer not null,
  height integer not null,
  data bytea not null,
  primary key (image_id, size)
);
alter table offer_images add column processed boolean not null default false;
