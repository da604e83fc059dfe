-- The picture of another instance's offer (its Event's `image`, else its first image attachment):
-- our own copy's path (/media/<key>, federation/media, ADR 0161) and its alt text. Never the
-- remote URL itself: pages do not hot-link.
alter table offers add column remote_image text;
alter table offers add column remote_image_alt text;
