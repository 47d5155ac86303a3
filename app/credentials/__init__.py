"""API credentials: OAuth2 clients with one role and one organisation each."""
