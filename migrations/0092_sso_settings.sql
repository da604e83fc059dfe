-- OpenID Connect settings an administrator sets in the pages (ADR 0092). One row at most; the
-- environment's OIDC_* variables, when OIDC_ISSUER is set, win over it.
create table sso_settings (
  id boolean primary key default true check (id),
  enabled boolean not null default false,
  issuer text,
  client_id text,
  client_secret text,
  button_label text,
  scopes text,
  member_claim text,
  updated_at timestamptz not null default now()
);
