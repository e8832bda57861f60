"""The labs' model server (ghcr.io/academy-labs/model-server): a churn classifier behind FastAPI."""

VERSION = "1.4.2"
