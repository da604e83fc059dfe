-- Offers across instances. Offers received from a followed CMCAS live in the offers table beside
-- our own (so the catalogue, calendar and filters show them as they are), marked by the URI of
-- their Event and the actor that published them; their places are the home instance's business.
alter table offers add column remote_uri text unique;
alter table offers add column remote_actor_id bigint
  references federation_remote_actors (id) on delete cascade;
-- The page of the offer on its home instance.
alter table offers add column remote_url text;
create index offers_remote_actor_idx on offers (remote_actor_id, starts_at)
  where remote_actor_id is not null;

-- A registration of a member on a remote offer is 'pending' until the home instance answers;
-- a refusal keeps its reason. On both sides the Join's id ties the answers to the registration.
alter table offer_registrations drop constraint offer_registrations_status_check;
alter table offer_registrations add constraint offer_registrations_status_check
  check (status in ('pending', 'confirmed', 'waitlisted', 'cancelled'));
alter table offer_registrations add column join_activity_id text;
alter table offer_registrations add column refusal text;
-- Rank on the home instance's waiting list, as it last told us.
alter table offer_registrations add column remote_position integer;
create index offer_registrations_join_idx on offer_registrations (join_activity_id)
  where join_activity_id is not null;

-- Offers deleted after other instances saw them: their URL answers a Tombstone.
create table offer_tombstones (
  offer_id uuid primary key,
  deleted_at timestamptz not null default now()
);
