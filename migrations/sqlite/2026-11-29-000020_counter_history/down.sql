DROP TABLE annual_packs;
DROP TABLE counter_days;
