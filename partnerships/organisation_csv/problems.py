"""What is wrong with an import file, in words that say what to do."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, in words that say what to do. `line` counts the
    header as line 1; None for the file as a whole."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"Line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportRefused(Exception):
    """Nothing was imported, because of these problems (all of them, so the user can
    fix the file in one go)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems
