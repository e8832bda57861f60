-- The churn model's tables (read-only in this lab). Every timestamp is a timestamptz in UTC.
CREATE TABLE customers (
  customer_id  integer PRIMARY KEY,
  signed_up_at date    NOT NULL,
  country      text    NOT NULL
);

CREATE TABLE subscriptions (
  subscription_id integer      PRIMARY KEY,
  customer_id     integer      NOT NULL REFERENCES customers,
  plan            text         NOT NULL CHECK (plan IN ('basic', 'standard', 'premium')),
  monthly_fee     numeric(8,2) NOT NULL,
  started_at      date         NOT NULL,
  ended_at        date                     -- NULL while the subscription runs
);

-- One invoice per customer and month; `month` is the first day of the month billed.
CREATE TABLE invoices (
  invoice_id  integer      PRIMARY KEY,
  customer_id integer      NOT NULL REFERENCES customers,
  month       date         NOT NULL CHECK (extract(day FROM month) = 1),
  amount      numeric(8,2) NOT NULL,
  UNIQUE (customer_id, month)
);

CREATE TABLE events (
  event_id    bigint      PRIMARY KEY,
  customer_id integer     NOT NULL REFERENCES customers,
  occurred_at timestamptz NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('login', 'support_ticket', 'plan_change'))
);

-- What the nightly scoring job wrote: one row per customer, model and run.
CREATE TABLE predictions (
  prediction_id     bigint      PRIMARY KEY,
  customer_id       integer     NOT NULL REFERENCES customers,
  model_name        text        NOT NULL,
  model_version     text        NOT NULL,
  churn_probability real        NOT NULL CHECK (churn_probability BETWEEN 0 AND 1),
  scored_at         timestamptz NOT NULL
);
