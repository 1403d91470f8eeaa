-- One "progress report due" reminder per pledge and year, whichever instance sends it.
CREATE TABLE report_reminders (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    year INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (pledge_id, year)
);
