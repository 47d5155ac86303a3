"""Events: what changed, told to each organisation that must react — a feed to read and
signed webhooks (docs/events.md)."""
