-- The hub's region filter (ADR 0150): a region is a list of departments, the first two digits of
-- the postal code (three overseas). These indexes find a region's published offers without
-- reading the whole calendar, for its page and for its count of matches.
create index offers_department_start_idx on offers (substr(postal_code, 1, 2), starts_at)
  where status = 'published';
create index offers_department3_start_idx on offers (substr(postal_code, 1, 3), starts_at)
  where status = 'published';
