"""Municipalities (kommuner), identified by their official four-digit code."""
