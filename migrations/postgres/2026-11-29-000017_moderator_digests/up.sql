-- The moderators' daily digests sent: one per moderator and day, whichever instance sends it.
CREATE TABLE moderator_digests (
    user_id TEXT NOT NULL REFERENCES users (id),
    day DATE NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, day)
);
