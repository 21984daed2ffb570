"""cockpit: the UI-free core of the incident cockpit (never imports textual or anthropic)."""

__version__ = "0.1.0"
