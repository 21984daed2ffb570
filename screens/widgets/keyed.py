"""Lists updated in place by key, not cleared and refilled.

Textual's OptionList has no insert: a refresh that cleared it would reset the scroll, drop every
rendered line and lose the cursor. Here rows that stay keep their Option objects (a prompt is
replaced only when it changed), rows that went are removed, and from the first row whose place
changed the same objects are appended again in the new order. The cursor follows its key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.visual import VisualType
from textual.widgets import OptionList
from textual.widgets.option_list import Option


def sync_options(
    options: OptionList,
    rows: Sequence[tuple[str, VisualType]],
    highlight: str | None,
    make: Callable[[str, VisualType], Option] | None = None,
) -> str | None:
    """Make `options` show `rows` (key, prompt) in order, with the cursor on `highlight` (or on the
    first row when that key is not shown). Returns the key under the cursor.

    OptionHighlighted is not posted for these moves: a pane reports only the engineer's moves.
    `make` builds the option of a new key (a plain Option by default)."""
    build = make or (lambda key, prompt: Option(prompt, id=key))
    wanted = [key for key, _ in rows]
    with options.prevent(OptionList.OptionHighlighted):
        keep = set(wanted)
        for gone in [option.id for option in options.options if option.id not in keep]:
            if gone is not None:
                options.remove_option(gone)
        current = [option.id for option in options.options]
        same = 0
        while same < len(current) and current[same] == wanted[same]:
            same += 1
        reused = {option.id: option for option in options.options[same:]}
        for _ in range(len(current) - same):  # from the end: nothing after it is renumbered
            options.remove_option_at_index(options.option_count - 1)
        fresh = [reused.get(key) or build(key, prompt) for key, prompt in rows[same:]]
        if fresh:
            options.add_options(fresh)
        for key, prompt in rows[:same]:
            if options.get_option(key).prompt != prompt:
                options.replace_option_prompt(key, prompt)
        for option, (key, prompt) in zip(fresh, rows[same:], strict=True):
            if key in reused and option.prompt != prompt:
                options.replace_option_prompt(key, prompt)
        if not wanted:
            options.highlighted = None
            return None
        key = highlight if highlight in keep else wanted[0]
        options.highlighted = options.get_option_index(key)
        return key
