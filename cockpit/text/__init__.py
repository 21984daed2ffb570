"""Text handling shared by every layer: what may reach a terminal (and, in time, redaction)."""
