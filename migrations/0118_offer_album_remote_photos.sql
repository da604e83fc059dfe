-- Albums after an activity, across instances (FEDERATION.md, "Albums"): a member of another
-- instance who took part in one of our offers adds a photo from their instance. Such a photo is
-- kept as its Note's id, its author's actor and name, and our copy of its picture
-- (federation/media, a `/media/<key>` path); its bytes are not stored in the album.
alter table offer_album_photos alter column content_type drop not null;
alter table offer_album_photos alter column data drop not null;
alter table offer_album_photos add column remote_uri text unique;
alter table offer_album_photos add column remote_actor_url text;
alter table offer_album_photos add column remote_author_name text;
alter table offer_album_photos add column remote_media text;
alter table offer_album_photos add constraint offer_album_photos_origin_check
  check ((remote_uri is null) = (data is not null));
create index offer_album_photos_actor_idx on offer_album_photos (offer_id, remote_actor_url)
  where remote_actor_url is not null;
