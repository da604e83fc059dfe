-- What members of other instances do with our tutorials (ADR 0116). Their "Je l'ai fait !" posts
-- keep the Note's id, its author (actor, name, page) and its photo as a link with its alt text
-- (nothing is fetched). Their "useful" votes (any `Like` of the Article) count once per actor.
-- Our members' votes on a remote tutorial keep the id of the Like that carried them, for its Undo.
alter table tutorial_made add column ap_id text unique;
alter table tutorial_made add column author_ap_id text;
alter table tutorial_made add column author_name text;
alter table tutorial_made add column author_url text;
alter table tutorial_made add column remote_image_url text;
alter table tutorial_made add column remote_image_alt text;

create table tutorial_remote_useful (
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  actor_uri text not null,
  ap_id text,
  created_at timestamptz not null default now(),
  primary key (tutorial_id, actor_uri)
);

alter table tutorial_useful add column ap_id text;
