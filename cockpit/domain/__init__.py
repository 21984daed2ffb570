"""The pure domain: the model, studios, the DAG, the walk and the commands. No SQLite, no network, no UI."""
