-- Counting the hub's matches from the indexes alone (ADR 0151). The hub's calendar keeps only the
-- offers of the members it follows (`remote_actor_id`), and its count of matches (up to 1,000)
-- read every matching row from the table because the indexes lacked that column. Each index
-- the count walks now carries the columns its conditions read, so the count is an index-only
-- scan (where the visibility map is current, which autovacuum keeps so).
drop index offers_published_ends_idx;
create index offers_published_ends_idx on offers (ends_at, visibility)
  include (remote_actor_id) where status = 'published';
-- The region's department: the postal code itself is included, since the planner reads an
-- expression's column from the index only when the column is there.
drop index offers_department_start_idx;
create index offers_department_start_idx on offers (substr(postal_code, 1, 2), starts_at)
  include (ends_at, visibility, remote_actor_id, postal_code) where status = 'published';
drop index offers_department3_start_idx;
create index offers_department3_start_idx on offers (substr(postal_code, 1, 3), starts_at)
  include (ends_at, visibility, remote_actor_id, postal_code) where status = 'published';
-- A category with places left.
drop index offers_category_start_idx;
create index offers_category_start_idx on offers (category_id, starts_at)
  include (ends_at, visibility, remote_actor_id, places_taken, capacity) where status = 'published';
