"""The runbook library: the document model, shapes, lint, the offline index, sync, search, relevance."""
