"""Loads the readiness framework from its YAML file into versioned database rows.

Loading is idempotent: the content is hashed, and an unchanged file finds its existing
version. A changed file always becomes a new version, so a framework that rounds and
assessments already use is never edited underneath them.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Max

from ..models import MAX_LEVEL, MIN_LEVEL, Dimension, Framework, OwnerRole, Question

DEFAULT_FRAMEWORK_FILE = Path(__file__).resolve().parent / "partnership-readiness.yaml"
DIMENSION_COUNT = 9
MAX_WEIGHT = 10
# The file nests 7 deep (framework, dimensions, dimension, questions, question, gate or
# levels, text); anything far deeper is a mistake or an attack on the parser, which
# recurses once per level.
MAX_DEPTH = 20
# Error messages quote what the file says, cut to this many characters, and list at most
# this many problems: a message is read by a person and never grows with the file.
MAX_QUOTED = 80
MAX_PROBLEMS_LISTED = 20
ANCHORS_REFUSED = (
    "uses YAML anchors or aliases (& or *), first at line {line}. "
    "Write each value out in full, then load the file again."
)
TOO_DEEP = (
    "is nested more than {depth} levels deep, first at line {line}. "
    "Check the indentation and brackets; a framework needs no more than 7 levels."
)


class FrameworkFileError(ValueError):
    """The framework file cannot be loaded; the message lists every problem found."""


class _Refused(yaml.YAMLError):
    """Raised while parsing, before anything is built from the file."""

    def __init__(self, message: str, mark):
        self.message = message.format(line=mark.line + 1, depth=MAX_DEPTH)
        super().__init__(self.message)


class _FrameworkYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases and absurd nesting.

    An alias repeats a value without the file growing, so a few kilobytes of nested
    aliases ("billion laughs") expand to gigabytes once anything walks the data, even
    under a key the loader ignores. A framework never needs them, so the first anchor
    or alias stops the parse, before any data is built."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(ANCHORS_REFUSED, event.start_mark)
        if self._depth >= MAX_DEPTH:
            raise _Refused(TOO_DEEP, event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def quoted(value, limit: int = MAX_QUOTED) -> str:
    """`repr` of a value from the file, cut to `limit` characters with an ellipsis."""
    return shortened(repr(value), limit)


def shortened(text: str, limit: int = MAX_QUOTED) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class LoadResult:
    framework: Framework
    created: bool


def load_framework_file(path: Path | str = DEFAULT_FRAMEWORK_FILE) -> LoadResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkFileError(f"Could not read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FrameworkFileError(f"{path} is not a text file saved as UTF-8") from None
    return load_framework_text(text, source=path.name, label=str(path))


def load_framework_text(text: str, *, source: str, label: str | None = None) -> LoadResult:
    """Load framework YAML from text (a file, or an upload in the admin)."""
    label = shortened(label or source, 200)
    data = parse_framework_yaml(text, label=label)
    problems = validate_framework_data(data)
    if problems:
        listed = "\n- ".join(problems[:MAX_PROBLEMS_LISTED])
        more = len(problems) - MAX_PROBLEMS_LISTED
        if more > 0:
            listed += f"\n- and {more} more problem(s), not listed here."
        raise FrameworkFileError(f"{label} has {len(problems)} problem(s):\n- {listed}")
    return _store(data, source=source[:200])


def parse_framework_yaml(text: str, *, label: str):
    """The file's data, or FrameworkFileError with a short message saying what is wrong."""
    try:
        return yaml.load(text, Loader=_FrameworkYamlLoader)  # a SafeLoader: no Python objects
    except _Refused as refused:
        raise FrameworkFileError(f"{label} {refused.message}") from None
    except yaml.YAMLError as exc:
        # PyYAML quotes the file (a snippet of the line, a tag); keep every line short.
        lines = [shortened(line, 2 * MAX_QUOTED) for line in str(exc).splitlines()[:10]]
        details = "\n".join(lines)
        raise FrameworkFileError(f"{label} is not valid YAML: {details}") from None
    except (ValueError, OverflowError) as exc:
        # A value PyYAML recognises but cannot build: a date like 2026-13-45, or an
        # integer of thousands of digits.
        raise FrameworkFileError(
            f"{label} has a value that cannot be read: {shortened(str(exc), 2 * MAX_QUOTED)}"
        ) from None


def content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validate_framework_data(data) -> list[str]:
    """Every problem in the parsed file, each naming where it is and what to fix."""
    if not isinstance(data, dict):
        return ["The file must be a mapping with 'name' and 'dimensions'."]
    problems = []
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        problems.append("Give the framework a 'name'.")
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, list) or len(dimensions) != DIMENSION_COUNT:
        count = len(dimensions) if isinstance(dimensions, list) else 0
        problems.append(f"List exactly {DIMENSION_COUNT} 'dimensions' (found {count}).")
        if not isinstance(dimensions, list):
            return problems
    dimension_codes: set[str] = set()
    question_codes: set[str] = set()
    for d_index, dimension in enumerate(dimensions, start=1):
        where = f"dimension {d_index}"
        if not isinstance(dimension, dict):
            problems.append(f"{where} must be a mapping.")
            continue
        problems.extend(_code_problems(dimension.get("code"), where, dimension_codes))
        if not isinstance(dimension.get("name"), str) or not dimension["name"].strip():
            problems.append(f"{where} needs a 'name'.")
        questions = dimension.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append(f"{where} needs at least one question under 'questions'.")
            continue
        for q_index, question in enumerate(questions, start=1):
            problems.extend(
                _question_problems(question, f"{where}, question {q_index}", question_codes)
            )
    return problems


def _code_problems(code, where: str, seen: set[str]) -> list[str]:
    """A dimension's or statement's code: present, and used once in the file."""
    if not isinstance(code, str) or not code:
        return [f"{where} needs a 'code'."]
    if code in seen:
        return [f"{where} repeats the code {quoted(code)}."]
    seen.add(code)
    return []


def _question_problems(question, where: str, seen_codes: set[str]) -> list[str]:
    if not isinstance(question, dict):
        return [f"{where} must be a mapping."]
    problems = _code_problems(question.get("code"), where, seen_codes)
    if not isinstance(question.get("statement"), str) or not question["statement"].strip():
        problems.append(f"{where} needs a 'statement'.")
    weight = question.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_WEIGHT:
        problems.append(
            f"{where} has weight {quoted(weight)}; use a whole number from 1 to {MAX_WEIGHT}."
        )
    levels = question.get("levels")
    if levels is not None and (
        not isinstance(levels, list)
        or len(levels) != MAX_LEVEL + 1
        or not all(isinstance(text, str) for text in levels)
    ):
        problems.append(f"{where} must give 'levels' as exactly {MAX_LEVEL + 1} texts, for 0 to 4.")
    owner = question.get("owner")
    if owner is not None and owner not in OwnerRole.values:
        problems.append(
            f"{where} has owner {quoted(owner)}; use one of {', '.join(OwnerRole.values)}."
        )
    gate = question.get("gate")
    if gate is not None:
        if not isinstance(gate, dict):
            problems.append(f"{where} must give 'gate' as a mapping with 'level' and 'owner'.")
        else:
            level = gate.get("level")
            if not isinstance(level, int) or not MIN_LEVEL < level <= MAX_LEVEL:
                problems.append(f"{where} has gate level {quoted(level)}; use 1 to {MAX_LEVEL}.")
            if gate.get("owner") not in OwnerRole.values:
                problems.append(
                    f"{where} has gate owner {quoted(gate.get('owner'))}; "
                    f"use one of {', '.join(OwnerRole.values)}."
                )
    return problems


@transaction.atomic
def _store(data: dict, *, source: str) -> LoadResult:
    digest = content_hash(data)
    existing = Framework.objects.filter(content_hash=digest).first()
    if existing is not None:
        return LoadResult(existing, created=False)
    name = data["name"].strip()
    latest = Framework.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
    framework = Framework.objects.create(
        name=name, version=latest + 1, content_hash=digest, source=source
    )
    questions = []
    for d_position, item in enumerate(data["dimensions"], start=1):
        dimension = Dimension.objects.create(
            framework=framework,
            code=item["code"],
            name=item["name"].strip(),
            summary=(item.get("summary") or "").strip(),
            position=d_position,
        )
        for q_position, q in enumerate(item["questions"], start=1):
            gate = q.get("gate") or {}
            questions.append(
                Question(
                    dimension=dimension,
                    code=q["code"],
                    statement=q["statement"].strip(),
                    guidance=(q.get("guidance") or "").strip(),
                    weight=q.get("weight", 1),
                    level_descriptors=[text.strip() for text in q.get("levels") or []],
                    owner=q.get("owner") or "",
                    gate_level=gate.get("level"),
                    gate_owner=gate.get("owner", ""),
                    position=q_position,
                )
            )
    Question.objects.bulk_create(questions)
    return LoadResult(framework, created=True)
