-- Personal API tokens (issue 23). A token's text is rbk_<id>_<secret>: the id (public, in the token's text) finds the
-- row; only the keyed hash (HMAC-SHA256, key from runbook.api.token-key or <data-dir>/token-key) of the whole text is
-- kept, never the text. One row per name: creating a name again replaces a revoked or expired token (the audit trail
-- keeps the history). Every request reads its token's row, so a revoked token stops at once.
create table api_token (
    name        varchar(64)  primary key,
    token_id    varchar(32)  not null unique,
    token_hash  varchar(64)  not null,
    role        varchar(16)  not null,
    created_at  timestamp with time zone not null,
    created_by  varchar(200) not null,
    expires_at  timestamp with time zone,
    revoked_at  timestamp with time zone,
    revoked_by  varchar(200)
);
