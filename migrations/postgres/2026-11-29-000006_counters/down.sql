DROP TABLE counter_scopes;
