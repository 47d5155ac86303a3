"""Idempotency keys for creating POSTs, scoped per credential and stored in the database."""
