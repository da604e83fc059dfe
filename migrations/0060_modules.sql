-- Modules and plugins (ADR 0061): whether an administrator switched a plugin on or off (null:
-- its manifest's default) and the settings of any module that declares some (JSON, checked
-- against the module's JSON Schema before it is saved). The migrations of modules that bring
-- their own folder are recorded in module_migrations, created with schema_migrations by the
-- migration runner itself.
create table module_states (
  name text primary key,
  enabled boolean,
  settings jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now(),
  updated_by uuid references users (id) on delete set null
);
