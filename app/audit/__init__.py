"""The append-only audit trail of every read and change of a household record."""
