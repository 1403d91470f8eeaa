CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('government', 'private_sector', 'civil_society', 'academia',
                                       'international_organisation', 'un_entity', 'other')),
    country TEXT NOT NULL REFERENCES countries (alpha3),
    website TEXT,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    verified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_verified_name ON organisations (verified, name, id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    -- Stored lowercased: addresses are unique regardless of case.
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'pledger' CHECK (role IN ('pledger', 'moderator', 'organiser', 'admin')),
    organisation_id TEXT REFERENCES organisations (id),
    organisation_role TEXT CHECK (organisation_role IN ('owner', 'member')),
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((organisation_id IS NULL) = (organisation_role IS NULL))
);
CREATE INDEX users_organisation ON users (organisation_id);

-- Opaque refresh tokens, stored as SHA-256 hashes. Each login starts a family; every refresh
-- uses one token up and issues the next of the same family.
CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Single-use emailed tokens: email verification and password reset.
CREATE TABLE user_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    organisation_role TEXT NOT NULL CHECK (organisation_role IN ('owner', 'member')),
    invited_by TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP
);
CREATE INDEX invitations_organisation ON invitations (organisation_id);

-- Keys that sign access tokens. `slot` is unique so that instances starting together agree on
-- one generated key: the second insert fails and that instance reads the first one's key.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    slot TEXT UNIQUE,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
