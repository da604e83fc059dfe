-- Objects we do not model (a PeerTube Video, an Article from a followed person) are kept with the
-- notes of the actor who sent them, and shown as a titled link card: their type, title, picture.
alter table federation_remote_notes add column kind text not null default 'Note';
alter table federation_remote_notes add column name text;
alter table federation_remote_notes add column image_url text;
