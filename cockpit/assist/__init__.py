"""LLM assist: settings, context and prompt building (through one redaction), the client (the only anthropic import)."""
