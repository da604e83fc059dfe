-- The CCAS hub's network (ADR 0120). On the hub: the member instances, as their instance actor
-- asked to join (a signed Join), and the hub admin's decision. On a member: the hub it asked to
-- join, whether it trusts the hub's list, and the last good copy of that list.
create table hub_members (
  host text primary key,
  actor_uri text not null unique,
  name text not null default '',
  state text not null default 'pending' check (state in ('pending', 'accepted', 'suspended')),
  join_activity_id text not null,
  requested_at timestamptz not null default now(),
  decided_at timestamptz,
  -- The hub's follow of the member's CMCAS actor (aggregation), once accepted.
  cmcas_actor_uri text
);

create table hub_link (
  id smallint primary key default 1 check (id = 1),
  hub_url text not null,
  join_activity_id text,
  requested_at timestamptz,
  trust_list boolean not null default false,
  -- The last list whose proof was verified, as received (JSON), the date the hub gave it, when
  -- it was fetched; and the last failure, kept beside the good copy.
  list_json text,
  list_updated_at timestamptz,
  list_fetched_at timestamptz,
  last_error text,
  last_attempt_at timestamptz
);

-- Domains allowed because the trusted network list names them: kept in step with the list, and
-- never over an admin's own rule (an admin's allow or block on the same domain wins).
alter table federation_domains drop constraint federation_domains_source_check;
alter table federation_domains add constraint federation_domains_source_check
  check (source in ('config', 'admin', 'hub'));
