-- Trigram index support for the task-name search of the tasks read model.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
