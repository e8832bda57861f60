-- The churn model's latest prediction per customer. A rerun can write two rows with the same
-- scored_at; the later row (the higher prediction_id) wins.
SELECT customer_id, model_version, churn_probability, scored_at
FROM (
  SELECT p.*,
         row_number() OVER (PARTITION BY customer_id
                            ORDER BY scored_at DESC, prediction_id DESC) AS rn
  FROM predictions AS p
  WHERE model_name = 'churn-classifier'
) AS ranked
WHERE rn = 1
ORDER BY customer_id;
