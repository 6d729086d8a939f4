"""Readers of meter data file formats: each turns a file into channels and register reads, or refuses it."""


class FileRefused(ValueError):
    """The file is not one the reader can take; `problems` says why, line by line where it can."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems
