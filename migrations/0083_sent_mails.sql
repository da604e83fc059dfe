-- Mail jobs whose mail went out, by job id (the same at every try of a job). A worker killed
-- after sending and before the queue recorded the job as done runs it again; the job then sees
-- it was sent and stops, so the member gets one mail.
create table sent_mails (
  job_id text primary key,
  sent_at timestamptz not null default now()
);
create index sent_mails_sent_at_idx on sent_mails (sent_at);
