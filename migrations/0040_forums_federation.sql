-- Forums federation (FEP-1b12). A group followed elsewhere keeps its handle, `name@host`, as its
-- slug: every page and link keyed by slug then works for it unchanged, and it can never collide
-- with a local slug (those have no "@").
alter table forum_groups drop constraint forum_groups_slug_check;
alter table forum_groups add constraint forum_groups_slug_check check (
  (host is null and slug ~ '^[a-z0-9][a-z0-9_]{1,48}[a-z0-9]$')
  or (host is not null and slug ~ '^[^@/\s]{1,100}@[^@/\s]{1,255}$')
);

-- The group's instance refuses posts of remote actors it banned (Create checks this).
create index forum_bans_actor_idx on forum_bans (group_id, actor_ap_id) where actor_ap_id is not null;
