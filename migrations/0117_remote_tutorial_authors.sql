-- A tutorial received from a followed CMCAS shows who wrote it (ADR 0117): the name and profile
-- page of the actor its Article is attributed to, read when it arrives (by inbox or backfill).
alter table tutorials add column remote_author_name text;
alter table tutorials add column remote_author_url text;
