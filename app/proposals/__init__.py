"""Proposals (anvisningar): one vacancy for one household, and their lifecycle."""
