"""The intent screen's panes, one module each. A pane renders what it is given and posts typed
Messages for what the engineer does in it; the screen composes the panes and holds the actions that
span them."""
