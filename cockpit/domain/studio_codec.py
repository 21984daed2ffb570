"""A studio definition as JSON and back, exactly: what an intent pins is what it walks by.

The codec is driven by the dataclasses' own type hints (cockpit.domain.studio), so a field added
there is carried without an edit here: tuples, dicts, optional values and nested definitions
follow their annotations. Free-form values (`meta`, `inputs`: typed `Any`) are JSON with a few
tags for what YAML frontmatter yields and JSON lacks (dates, tuples, sets, non-string keys), so
they too come back equal. A stored definition that cannot be read is refused with the path of the
bad value, never half-read: a walk by a guessed definition would be wrong silently.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import math
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Union

from cockpit.domain.studio import Studio
from cockpit.errors import CockpitError

FORMAT = 1  # of the stored document; a newer one is refused, not guessed at
# Fields left out of the content digest computed when the loader gave none: where the files
# were and what the digest is are not what the studio says.
_NOT_CONTENT = frozenset({"path", "source", "digest", "overlay"})


class StudioCodecError(CockpitError):
    """A stored studio definition this cockpit cannot read (or a value it cannot store)."""


def encode(studio: Studio) -> dict[str, Any]:
    """The JSON-able document of `studio`."""
    return {"format": FORMAT, "studio": _encode(studio, Studio, "studio", keep=None)}


def decode(document: Any, label: str = "studio definition") -> Studio:
    """The Studio `document` (from `encode`, possibly through json) describes; StudioCodecError
    naming `label` and the bad value's place otherwise."""
    if not isinstance(document, dict) or "studio" not in document:
        raise StudioCodecError(f"{label}: not a stored studio definition")
    version = document.get("format")
    if version != FORMAT:
        raise StudioCodecError(
            f"{label}: stored in format {version!r}, this cockpit reads format {FORMAT} (written by a newer cockpit?)"
        )
    try:
        studio = _decode(document["studio"], Studio, "studio")
    except _Bad as exc:
        raise StudioCodecError(f"{label}: {exc.where}: {exc.reason}") from None
    assert isinstance(studio, Studio)
    return studio


def dumps(studio: Studio) -> str:
    """The stored text: `encode` as JSON."""
    return json.dumps(encode(studio), ensure_ascii=False, allow_nan=False)


def loads(text: str, label: str = "studio definition") -> Studio:
    try:
        document = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise StudioCodecError(f"{label}: not JSON ({exc})") from None
    return decode(document, label)


def content_digest(studio: Studio) -> str:
    """sha256 of the definition's canonical JSON, without where it was read from: the digest of a
    studio the loader gave none (Studio.digest empty)."""
    content = _encode(studio, Studio, "studio", keep=lambda name: name not in _NOT_CONTENT)
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_of(studio: Studio) -> str:
    """The digest an intent pins `studio` by: the loader's file digest, else its content digest."""
    return studio.digest or content_digest(studio)


# ------------------------------------------------------------------ by type hint


class _Bad(Exception):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType)


def _encode(value: Any, hint: Any, where: str, keep: Callable[[str], bool] | None) -> Any:
    if hint is Any:
        return _encode_free(value, where)
    if _is_union(hint):
        if value is None:
            return None
        arms = [a for a in typing.get_args(hint) if a is not type(None)]
        arm = next((a for a in arms if _instance(value, a)), arms[0])
        return _encode(value, arm, where, keep)
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, hint):
            raise StudioCodecError(f"{where}: expected {hint.__name__}, got {type(value).__name__}")
        hints = _hints(hint)
        return {
            f.name: _encode(getattr(value, f.name), hints[f.name], f"{where}.{f.name}", keep)
            for f in _fields(hint)
            if keep is None or keep(f.name)
        }
    if origin in (tuple, list, frozenset, set):
        items = sorted(value, key=repr) if origin in (frozenset, set) else value
        return [_encode(v, _item_hint(hint, i), f"{where}[{i}]", keep) for i, v in enumerate(items)]
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        if value_hint is Any:  # frontmatter: YAML keys need not be strings
            return _encode_free(value, where)
        if key_hint is str:
            if not all(isinstance(k, str) for k in value):
                raise StudioCodecError(f"{where}: a key is not a string")
            return {k: _encode(v, value_hint, f"{where}[{k!r}]", keep) for k, v in value.items()}
        return [
            [_encode(k, key_hint, f"{where}<key>", keep), _encode(v, value_hint, f"{where}[{k!r}]", keep)]
            for k, v in value.items()
        ]
    if typing.get_origin(hint) is typing.Literal or hint in (str, int, float, bool, type(None)):
        return _encode_free(value, where)
    raise StudioCodecError(f"{where}: cannot store a field annotated {hint!r}")


def _instance(value: Any, hint: Any) -> bool:
    base = typing.get_origin(hint) or hint
    return isinstance(base, type) and isinstance(value, base)


def _item_hint(hint: Any, index: int) -> Any:
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return args[index] if index < len(args) else Any
    return args[0] if args else Any


def _decode(value: Any, hint: Any, where: str) -> Any:
    if hint is Any:
        return _decode_free(value, where)
    if _is_union(hint):
        arms = typing.get_args(hint)
        if value is None and type(None) in arms:
            return None
        problems = []
        for arm in (a for a in arms if a is not type(None)):
            try:
                return _decode(value, arm, where)
            except _Bad as exc:
                problems.append(exc.reason)
        raise _Bad(where, "; ".join(problems) or "expected a value")
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode_dataclass(value, hint, where)
    if origin in (tuple, list, frozenset, set):
        if not isinstance(value, list):
            raise _Bad(where, f"expected a list, got {_kind(value)}")
        args = typing.get_args(hint)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis) and len(value) != len(args):
            raise _Bad(where, f"expected {len(args)} items, got {len(value)}")
        items = [_decode(v, _item_hint(hint, i), f"{where}[{i}]") for i, v in enumerate(value)]
        return origin(items)
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        if value_hint is Any:
            decoded = _decode_free(value, where)
            if not isinstance(decoded, dict):
                raise _Bad(where, f"expected an object, got {_kind(value)}")
            return decoded
        if key_hint is str:
            if not isinstance(value, dict):
                raise _Bad(where, f"expected an object, got {_kind(value)}")
            return {k: _decode(v, value_hint, f"{where}[{k!r}]") for k, v in value.items()}
        if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
            raise _Bad(where, "expected a list of [key, value] pairs")
        return {_decode(k, key_hint, f"{where}<key>"): _decode(v, value_hint, f"{where}[{k!r}]") for k, v in value}
    if typing.get_origin(hint) is typing.Literal:
        if value not in typing.get_args(hint):
            raise _Bad(where, f"expected one of {typing.get_args(hint)}, got {value!r}")
        return value
    if hint is type(None):
        if value is not None:
            raise _Bad(where, f"expected null, got {_kind(value)}")
        return None
    if hint in (str, int, bool):
        # bool is an int in Python and not the reverse: an int field must not take true/false.
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise _Bad(where, f"expected {hint.__name__}, got {_kind(value)}")
        return value
    if hint is float:
        decoded = _decode_free(value, where)
        if not isinstance(decoded, (int, float)) or isinstance(decoded, bool):
            raise _Bad(where, f"expected a number, got {_kind(value)}")
        return decoded
    raise _Bad(where, f"cannot read a field annotated {hint!r}")


def _decode_dataclass(value: Any, cls: type, where: str) -> Any:
    if not isinstance(value, dict):
        raise _Bad(where, f"expected an object, got {_kind(value)}")
    hints = _hints(cls)
    known = {f.name: f for f in _fields(cls)}
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise _Bad(where, f"unknown field {unknown[0]!r} (written by a newer cockpit?)")
    kwargs: dict[str, Any] = {}
    for name, f in known.items():
        if name in value:
            kwargs[name] = _decode(value[name], hints[name], f"{where}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _Bad(where, f"missing field {name!r}")
        # else: a field added after the definition was stored takes its default
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise _Bad(where, str(exc)) from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


# ------------------------------------------------------------------ free-form values (meta, inputs)
# Plain JSON stays plain; the rest is a one-key object whose key starts with "$". An object that
# is not a tag but has such a key is stored as "$map" pairs, so a tag is never mistaken for data.


def _encode_free(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, list):
        return [_encode_free(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"$tuple": [_encode_free(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, (set, frozenset)):
        tag = "$frozenset" if isinstance(value, frozenset) else "$set"
        return {tag: [_encode_free(v, where) for v in sorted(value, key=repr)]}
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode_free(v, f"{where}[{k!r}]") for k, v in value.items()}
        return {"$map": [[_encode_free(k, where), _encode_free(v, f"{where}[{k!r}]")] for k, v in value.items()]}
    raise StudioCodecError(f"{where}: cannot store a value of type {type(value).__name__}")


def _decode_free(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list):
        return [_decode_free(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise _Bad(where, f"unexpected {_kind(value)}")
    if len(value) == 1:
        ((tag, body),) = value.items()
        if tag.startswith("$"):
            return _untag(tag, body, where)
    return {k: _decode_free(v, f"{where}[{k!r}]") for k, v in value.items()}


def _untag(tag: str, body: Any, where: str) -> Any:
    try:
        if tag in ("$tuple", "$set", "$frozenset") and isinstance(body, list):
            items = [_decode_free(v, f"{where}[{i}]") for i, v in enumerate(body)]
            return {"$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](items)
        if tag == "$map" and isinstance(body, list) and all(isinstance(p, list) and len(p) == 2 for p in body):
            return {_hashable(_decode_free(k, where), where): _decode_free(v, where) for k, v in body}
        if isinstance(body, str):
            if tag == "$datetime":
                return dt.datetime.fromisoformat(body)
            if tag == "$date":
                return dt.date.fromisoformat(body)
            if tag == "$bytes":
                return base64.b64decode(body.encode("ascii"), validate=True)
            if tag == "$float" and body in ("nan", "inf", "-inf"):
                return float(body)
    except ValueError as exc:
        raise _Bad(where, f"bad {tag} value ({exc})") from None
    raise _Bad(where, f"unknown tag {tag!r} or a bad value for it")


def _hashable(key: Any, where: str) -> Any:
    try:
        hash(key)
    except TypeError:
        raise _Bad(where, f"a mapping key must be hashable, got {_kind(key)}") from None
    return key
