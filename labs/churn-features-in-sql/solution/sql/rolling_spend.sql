-- Each invoice with the customer's spend over its month and the two calendar months before it.
-- RANGE counts calendar months, so a month without an invoice is not skipped over.
SELECT customer_id,
       month,
       amount,
       sum(amount) OVER (PARTITION BY customer_id
                         ORDER BY month
                         RANGE BETWEEN interval '2 months' PRECEDING AND CURRENT ROW) AS spend_3m
FROM invoices
ORDER BY customer_id, month;
