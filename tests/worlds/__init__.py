"""Worlds the API tests start from, each built by a function named for what it makes."""
