-- The observatory's shared aggregates (ADR 0125). On a member: its admin's consent to share its
-- monthly aggregates with the hub (off until they agree). On the hub: the aggregates each
-- agreeing member last sent, one number of persons or items per month, category and measure;
-- cells below 5 never arrive (the member leaves them out) and are refused if they do.
alter table hub_link add column share_aggregates boolean not null default false;

create table hub_shared_aggregates (
  host text not null,
  month text not null,
  category text not null,
  measure text not null,
  value integer not null check (value >= 5),
  fetched_at timestamptz not null default now(),
  primary key (host, month, category, measure)
);
