"""The application layer: the engine façade every caller holds, configuration, demo seeding, reports, the crash log."""
