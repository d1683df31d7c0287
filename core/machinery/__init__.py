"""The plugin machinery: hook specifications, components and their parameters, registry.toml, entry-point
discovery and the contract check of a plugin's objects against its kind."""
