-- When a participatory budget's results were announced to the members who voted (issue 13:
-- they always learn what was done with their voice). A scheduled job announces them once the vote
-- closes; the row is its mark, taken by an insert that a second run or a second worker finds
-- already there. A table of its own, without a foreign key: this number comes before the budgets'
-- migration (0136), so on a new database the budgets table does not exist yet.
create table budget_announcements (
  budget_id uuid primary key,
  announced_at timestamptz not null default now()
);
-- On a database that has budgets already, those whose vote had closed count as announced: their
-- results have been on their page for a while.
do $$
begin
  if to_regclass('budgets') is not null then
    insert into budget_announcements (budget_id, announced_at)
    select id, vote_close_at from budgets where vote_close_at <= now();
  end if;
end $$;
