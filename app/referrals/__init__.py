"""Referrals between municipalities of a network (docs/referrals.md)."""
