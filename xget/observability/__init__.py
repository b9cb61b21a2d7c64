"""Observability: Prometheus metrics and structured JSON logs with a correlation id."""
