"""Readers of meter data file formats: each turns a file into channels and register reads, or refuses it."""
from __future__ import annotations

import heapq
from collections.abc import Iterator

LIMIT = 100     # problems listed in a refusal; the others are only counted


class Problems:
    """What is wrong with a file being read: the LIMIT first problems by line are kept, every one is counted.

    A file of a million bad rows is refused with a hundred reasons and the count, in bounded memory.
    `partial` says rows were skipped once the file was refused, so the count is a lower bound.
    """

    def __init__(self, limit: int = LIMIT):
        self.limit, self.count, self.partial = limit, 0, False
        self._kept: list[tuple[int, int, str]] = []    # (-line, -order, text): the root is the one to drop

    def add(self, text: str, line: int = 0) -> None:
        self.count += 1
        item = (-line, -self.count, text)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, item)
        elif item > self._kept[0]:
            heapq.heapreplace(self._kept, item)

    @property
    def full(self) -> bool:
        """The file is refused and enough is said: later rows need no keeping."""
        return self.count >= self.limit

    @property
    def shown(self) -> list[str]:
        return [text for _, _, text in sorted(self._kept, reverse=True)]

    def __bool__(self) -> bool:
        return self.count > 0


class FileRefused(ValueError):
    """The file is not one the reader can take; `problems` says why, line by line where it can."""

    def __init__(self, problems: list[str] | Problems):
        if isinstance(problems, Problems):
            self.problems, self.count, self.partial = problems.shown, problems.count, problems.partial
        else:
            self.problems, self.count, self.partial = list(problems), len(problems), False
        super().__init__("; ".join(self.problems[:5]))


def lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, one at a time: csv reads them without a copy of the whole file."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop
