-- A post its own author deleted (here or on their instance) is shown as such, not as a removal
-- by the moderators.
alter table forum_posts add column removed_by_author boolean not null default false;
