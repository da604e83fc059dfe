-- An activity that only travelled inside one of our Announces (a member's Create relayed by a
-- group) is served at its id from that Announce's row: found by the embedded activity's id.
create index federation_outbox_embedded_idx on federation_outbox ((activity->'object'->>'id'))
  where activity_type = 'Announce';
