"""Household needs (cases) posted by social services: minimal, never a personal number."""
