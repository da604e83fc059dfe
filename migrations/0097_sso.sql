-- OpenID Connect sign-in: which provider account is which member.
create table sso_identities (
  issuer text not null,
  subject text not null,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_login_at timestamptz not null default now(),
  primary key (issuer, subject)
);
create index sso_identities_user_idx on sso_identities (user_id);
