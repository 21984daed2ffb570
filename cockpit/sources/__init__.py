"""What cockpit reads from disk besides its database: studios, unit files, artifacts, quality-gate commands."""
