"""One hierarchy of errors, so that the faces can map each kind to an exit code or HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


class TongchouError(Exception):
    """Base of every error tongchou raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of an input: the file, row and column, the value found,
    what was expected there and, where one exists, the nearest valid value."""

    place: str
    message: str
    value: object = None
    expected: str | None = None
    nearest: object = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.place
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (found {self.value!r}"
            text += f", expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        if self.nearest is not None:
            text += f"; did you mean {self.nearest!r}?"
        return text


class InputError(TongchouError):
    """Bad input from a user: a file, an option, a YAML document. Carries every problem found."""

    def __init__(self, problems: Problem | str | list[Problem], *, hint: str | None = None):
        if isinstance(problems, Problem | str):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem("input", p) for p in problems]
        self.hint = hint
        super().__init__(self._text())

    def _text(self, limit: int = 20) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class NotFound(TongchouError):
    """A region, metric, ruleset or date that does not exist; says what is nearest."""

    def __init__(self, what: str, *, suggestions: list[str] | None = None):
        self.what = what
        self.suggestions = suggestions or []
        text = what
        if self.suggestions:
            text += "; closest: " + ", ".join(self.suggestions)
        super().__init__(text)


class Conflict(TongchouError):
    """The request contradicts what is stored (e.g. a value changed without --correct)."""


class Forbidden(TongchouError):
    """The action needs a right the caller does not have."""
