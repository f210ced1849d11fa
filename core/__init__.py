"""The bottom layer: errors, settings, service catalogue, identifier rules, test identities."""
