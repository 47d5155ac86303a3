"""Municipal models as configuration: `scenarios/<name>.json` loaded through the services."""
