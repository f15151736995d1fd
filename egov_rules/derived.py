"""A dataclass field worked out from another attribute when it is first read, not when the object is made.

``SubmissionResult.names`` and ``.info`` are what human reports print beside ids; the API, the JSON report
and the service never read them, yet working them out walked every entity of every check (a tenth of a
small check).  As a field (not a property) it stays one for everything generic: ``dataclasses.fields``,
``replace`` and ``==`` read it through ``getattr`` and so see the worked-out value, and the report
sanitizer cleans it like any other field.  A value given or assigned is kept as given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Derived(Generic[T]):
    """Use as ``field(default=Derived("_slot", "source", derive, empty), ...)`` on a non-slotted dataclass:
    on first read the value is ``derive(obj.source)`` (``empty()`` when the source is None), then kept.
    ``together``: the slots of every field derived from the same source; once they all hold values, the
    source is let go (set to None): it is kept for them only."""

    def __init__(self, slot: str, source: str, derive: Callable[[Any], T], empty: Callable[[], T],
                 together: tuple[str, ...] = ()) -> None:
        self.slot = slot
        self.source = source
        self.derive = derive
        self.empty = empty
        self.together = together or (slot,)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self  # on the class: the dataclass default, meaning "not given"
        state = obj.__dict__
        value = state.get(self.slot, self)
        if value is self:
            source = state.get(self.source)
            value = state[self.slot] = self.empty() if source is None else self.derive(source)
            if source is not None and all(not isinstance(state.get(s, self), Derived) for s in self.together):
                state[self.source] = None
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value  # the default (this descriptor itself) means: derive on first read
