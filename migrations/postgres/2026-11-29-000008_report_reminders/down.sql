DROP TABLE report_reminders;
