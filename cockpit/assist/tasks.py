"""The assist tasks, by name. A module of its own with no imports, so the CLI's argument parser
can offer them as choices without loading the assist types (`cockpit --help` stays light)."""

TASKS = ("draft", "review", "classify", "ask")
