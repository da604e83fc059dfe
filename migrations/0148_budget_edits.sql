-- The public history of a participatory budget's edits (ADR 0139): who changed it, when, and
-- what (each changed field with its value before and after, as JSON). Written in the same
-- transaction as the change, so a budget never changes without its trace.
create table budget_edits (
  id uuid primary key default gen_random_uuid(),
  budget_id uuid not null references budgets (id) on delete cascade,
  edited_by uuid references users (id) on delete set null,
  edited_at timestamptz not null default now(),
  changes jsonb not null
);

create index budget_edits_budget on budget_edits (budget_id, edited_at);
