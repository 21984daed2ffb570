"""The Textual UI of cockpit. Imports cockpit; cockpit never imports this package."""
