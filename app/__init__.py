"""En väg in: one way in between Swedish landlords and municipal social services."""
