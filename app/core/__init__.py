"""Ground floor: settings, the database session, errors, and the plumbing every room uses."""
