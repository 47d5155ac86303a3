"""HTTP plumbing above the domains: middleware and the served documentation."""
