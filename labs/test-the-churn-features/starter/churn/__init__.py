"""Churn features and the scoring service that serves them."""
