-- The services exchange (SEL): listings of services offered and wanted, exchanges counted in
-- minutes (one hour of any service is one hour), and the ledger. Every confirmed exchange writes
-- two ledger lines, +m to who gave the service and -m to who received it, so the ledger always
-- sums to zero; accounts keep their balance and outlive a deleted member (user_id set null) so
-- the ledger stays whole.
create table sel_listings (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references users (id) on delete set null,
  kind text not null check (kind in ('offer', 'want')),
  category text not null,
  title text not null,
  description text not null default '',
  status text not null default 'open' check (status in ('open', 'closed')),
  removed_reason text,
  created_at timestamptz not null default now()
);
create index sel_listings_open_idx on sel_listings (created_at desc) where status = 'open';

create table sel_accounts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid unique references users (id) on delete set null,
  balance_minutes integer not null default 0,
  created_at timestamptz not null default now()
);

create table sel_exchanges (
  id uuid primary key default gen_random_uuid(),
  listing_id uuid references sel_listings (id) on delete set null,
  provider_id uuid references users (id) on delete set null,
  receiver_id uuid references users (id) on delete set null,
  proposed_by uuid references users (id) on delete set null,
  minutes integer not null check (minutes > 0 and minutes <= 6000),
  description text not null,
  status text not null default 'proposed'
    check (status in ('proposed', 'confirmed', 'refused', 'cancelled')),
  refusal text,
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
create index sel_exchanges_provider_idx on sel_exchanges (provider_id, created_at desc);
create index sel_exchanges_receiver_idx on sel_exchanges (receiver_id, created_at desc);

create table sel_ledger (
  id uuid primary key default gen_random_uuid(),
  exchange_id uuid not null references sel_exchanges (id),
  account_id uuid not null references sel_accounts (id),
  minutes integer not null check (minutes <> 0),
  created_at timestamptz not null default now(),
  unique (exchange_id, account_id)
);
create index sel_ledger_account_idx on sel_ledger (account_id, created_at desc);
