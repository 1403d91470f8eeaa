DROP TABLE moderator_digests;
