-- Access tokens carry the generation they were issued in; ending an account's sessions moves it on.
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
