"""The assist pane: one request to the model about the intent in hand, streamed, then the
engineer decides what becomes of it. One screen class per task, on a shared base:

| Screen | Task | What accepting does |
|---|---|---|
| `DraftScreen` | draft a unit's body | a / ctrl+s (edited): the unit's body, through `edit_unit` |
| `ReviewScreen` | an adversarial review | f: one proposal filed as a finding; d drops it |
| `ClassifyScreen` | classify a finding | a: its severity and unit, through `classify`; c changes it first |
| `AskScreen` | a question | nothing to accept: read, copy or ask again |

The model proposes; nothing is written until a key says so, and then through the same engine
commands as any other change, marked with the request that proposed it (the commands redact what
they store of it). The model itself never approves, closes or advances anything.
"""

from .ask import AskScreen
from .base import AssistScreen, reply_line, usage_line
from .classify import ClassifyScreen
from .draft import DraftScreen
from .review import ReviewScreen

__all__ = ["AskScreen", "AssistScreen", "ClassifyScreen", "DraftScreen", "ReviewScreen", "reply_line", "usage_line"]
