"""People signing in as themselves: OpenID Connect issuers trusted per organisation."""
