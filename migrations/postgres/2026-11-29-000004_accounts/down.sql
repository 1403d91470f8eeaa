DROP TABLE signing_keys;
DROP TABLE invitations;
DROP TABLE user_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE organisations;
