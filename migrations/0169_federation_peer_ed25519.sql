-- Whether an actor's server says it verifies RFC 9421 signatures made with Ed25519 (FEP-844e,
-- `generator.implements`): deliveries to that server are then signed with the actor's Ed25519
-- key, a tenth of an RSA-2048 signature's cost (ADR 0176).
alter table federation_remote_actors add column accepts_ed25519 boolean not null default false;
