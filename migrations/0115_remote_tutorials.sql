-- Tutorials received from a followed CMCAS live beside ours (ADR 0115): marked by the URI of their
-- Article and the actor that sent them, with the territory they come from, their page there, the
-- content as sent (every step, sanitized) and their images as links with their alt text.
alter table tutorials add column remote_uri text unique;
alter table tutorials add column remote_actor_id bigint
  references federation_remote_actors (id) on delete cascade;
alter table tutorials add column remote_url text;
alter table tutorials add column territory text;
alter table tutorials add column remote_content_html text;
alter table tutorials add column remote_images jsonb not null default '[]';
create index tutorials_territory_idx on tutorials (territory) where territory is not null;
