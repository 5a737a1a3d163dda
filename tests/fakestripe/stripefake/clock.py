"""The fake's notion of "now". Tests can set or advance it so `created` values are predictable."""
import threading
import time


class Clock:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self._offset = 0.0       # added to real time while ticking
            self._frozen_at = None   # when set, time stands still

    def now(self):
        with self._lock:
            if self._frozen_at is not None:
                return int(self._frozen_at)
            return int(time.time() + self._offset)

    def set(self, now, frozen=True):
        with self._lock:
            if frozen:
                self._frozen_at = int(now)
            else:
                self._frozen_at = None
                self._offset = int(now) - time.time()

    def advance(self, seconds):
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += int(seconds)
            else:
                self._offset += int(seconds)

    def unfreeze(self):
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None

    def state(self):
        return {"now": self.now(), "frozen": self._frozen_at is not None}
