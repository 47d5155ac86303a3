"""Areas (districts) of a municipality, with exclusion and per-round placement caps."""
