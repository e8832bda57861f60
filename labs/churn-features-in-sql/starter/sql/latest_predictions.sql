-- The churn model's latest prediction per customer, columns:
--   customer_id, model_version, churn_probability, scored_at
SELECT customer_id, model_version, churn_probability, scored_at
FROM predictions;
