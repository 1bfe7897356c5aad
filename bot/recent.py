"""The keys of the last few thousand deliveries a process has taken on: a platform that
delivers the same event again (a retry, a reconnect) is recognised before any work."""

from __future__ import annotations

from collections import OrderedDict


class Recent:
    """A bounded set of recently seen keys, oldest forgotten first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def first(self, key: str) -> bool:
        """True (and remembered) the first time `key` comes by."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return True

    def forget(self, key: str) -> None:
        """Let `key` count as new again (its work failed, so a retry should run)."""
        self._keys.pop(key, None)
