"""The only place that speaks SQL: the intent store, its schema and migrations, the assist ledger."""
