DROP TABLE progress_reports;
