-- Features of every customer who had signed up before the cutoff $1 (a date, the first day of a
-- month), computed only from what was known before it.
WITH spend AS (
  SELECT customer_id, sum(amount) AS spend_3m
  FROM invoices
  WHERE month >= $1::date - interval '3 months'
    AND month < $1::date
  GROUP BY customer_id
),
activity AS (
  SELECT customer_id,
         count(*) FILTER (WHERE occurred_at >= $1::date - interval '30 days') AS events_30d,
         max(occurred_at) AS last_event_at
  FROM events
  WHERE occurred_at < $1::date
  GROUP BY customer_id
)
SELECT c.customer_id,
       $1::date - c.signed_up_at               AS tenure_days,
       coalesce(s.spend_3m, 0)                 AS spend_3m,
       coalesce(a.events_30d, 0)               AS events_30d,
       $1::date - a.last_event_at::date        AS days_since_last_event
FROM customers AS c
LEFT JOIN spend    AS s USING (customer_id)
LEFT JOIN activity AS a USING (customer_id)
WHERE c.signed_up_at < $1::date
ORDER BY c.customer_id;
