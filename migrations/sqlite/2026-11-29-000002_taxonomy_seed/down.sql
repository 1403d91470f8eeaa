DELETE FROM tracks WHERE slug IN ('p2c', 'ldc5', 'sdg-digital-day-2023', 'green-digital-action-cop28');
DELETE FROM countries;
DELETE FROM pillars;
DELETE FROM focus_areas;
DELETE FROM sdgs;
