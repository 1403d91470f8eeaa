DROP INDEX pledges_published;
DROP TABLE screen_links;
DROP TABLE goal_sets;
