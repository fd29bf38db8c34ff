"""Evaluate the chatbot's language understanding on labelled messages.

    python -m grihaseva.chatbot.evaluate [FILE...]   (default: tests/chatbot/labelled.jsonl)

Each FILE is JSON lines: {"text", "intent", "service", "category",
"day_offset", "part_of_day", "at", ["faq"]}.  `day_offset` counts days after
the fixed reference time below; `at` is "HH:MM".  A missing key counts as null.

Prints accuracy per intent, the overall intent accuracy and entity accuracy.
Entities are four per message: service/category (one pair), day,
part_of_day and at; each counts correct when the prediction equals the label,
both null included, and entity accuracy pools all four over all messages.
When a file has "faq" labels, the FAQ topic accuracy on faq-labelled lines is
shown too (informational).  Exits 1 when intent or entity accuracy is below
90 %.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from .nlu import INTENTS, CatalogueEntry, Understanding, catalogue_from_demo, understand

# The fixed "now" every labelled file is written against: a Tuesday.
REFERENCE_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
THRESHOLD = 0.90
ENTITIES = ("target", "day", "part_of_day", "at")
DEFAULT_FILE = Path(__file__).resolve().parents[2] / "tests" / "chatbot" / "labelled.jsonl"


@dataclass
class Case:
    text: str
    intent: str
    service: str | None
    category: str | None
    day_offset: int | None
    part_of_day: str | None
    at: str | None
    faq: str | None = None
    has_faq_label: bool = False
    source: str = ""


@dataclass
class Miss:
    case: Case
    got: dict
    fields: list[str]


@dataclass
class Report:
    total: int = 0
    intent_correct: int = 0
    per_intent: Counter = field(default_factory=Counter)
    per_intent_correct: Counter = field(default_factory=Counter)
    entity_correct: Counter = field(default_factory=Counter)
    all_entities_correct: int = 0
    faq_total: int = 0
    faq_correct: int = 0
    confusion: Counter = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def entity_accuracy(self) -> float:
        n = self.total * len(ENTITIES)
        return sum(self.entity_correct.values()) / n if n else 0.0

    def field_accuracy(self, name: str) -> float:
        return self.entity_correct[name] / self.total if self.total else 0.0


def load_cases(path: str | Path) -> list[Case]:
    cases = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            row = json.loads(line)
            if row.get("intent") not in INTENTS:
                raise ValueError(f"{path}:{lineno}: unknown intent {row.get('intent')!r}")
            cases.append(Case(
                text=row["text"], intent=row["intent"], service=row.get("service"),
                category=row.get("category"), day_offset=row.get("day_offset"),
                part_of_day=row.get("part_of_day"), at=row.get("at"), faq=row.get("faq"),
                has_faq_label="faq" in row, source=f"{Path(path).name}:{lineno}",
            ))
    return cases


def predicted_fields(u: Understanding, now: datetime = REFERENCE_NOW) -> dict:
    return {
        "intent": u.intent,
        "target": (u.service, u.category),
        "day": None if u.day is None else (u.day - now.date()).days,
        "part_of_day": u.part_of_day,
        "at": None if u.at is None else u.at.strftime("%H:%M"),
        "faq": u.faq,
    }


def expected_fields(c: Case) -> dict:
    return {
        "intent": c.intent,
        "target": (c.service, c.category),
        "day": c.day_offset,
        "part_of_day": c.part_of_day,
        "at": c.at,
        "faq": c.faq,
    }


def evaluate(cases: Sequence[Case], catalogue: Sequence[CatalogueEntry] | None = None,
             now: datetime = REFERENCE_NOW) -> Report:
    catalogue = list(catalogue) if catalogue is not None else catalogue_from_demo()
    report = Report()
    for case in cases:
        got = predicted_fields(understand(case.text, now, catalogue), now)
        want = expected_fields(case)
        report.total += 1
        report.per_intent[case.intent] += 1
        report.confusion[(case.intent, got["intent"])] += 1
        wrong = []
        if got["intent"] == want["intent"]:
            report.intent_correct += 1
            report.per_intent_correct[case.intent] += 1
        else:
            wrong.append("intent")
        all_ok = True
        for name in ENTITIES:
            if got[name] == want[name]:
                report.entity_correct[name] += 1
            else:
                all_ok = False
                wrong.append(name)
        report.all_entities_correct += all_ok
        if case.has_faq_label and case.intent == "faq":
            report.faq_total += 1
            if got["faq"] == want["faq"]:
                report.faq_correct += 1
            else:
                wrong.append("faq")
        if wrong:
            report.misses.append(Miss(case, got, wrong))
    return report


def format_report(report: Report, show_misses: bool = True) -> str:
    lines = []
    lines.append(f"reference now: {REFERENCE_NOW.isoformat()} ({REFERENCE_NOW:%A})")
    lines.append(f"messages: {report.total}")
    lines.append("")
    lines.append(f"{'intent':<20}{'n':>5}{'correct':>9}{'accuracy':>10}")
    for intent in INTENTS:
        n = report.per_intent[intent]
        if not n:
            continue
        ok = report.per_intent_correct[intent]
        lines.append(f"{intent:<20}{n:>5}{ok:>9}{ok / n:>10.1%}")
    lines.append("")
    lines.append(f"intent accuracy:  {report.intent_accuracy:.1%} ({report.intent_correct}/{report.total})")
    for name in ENTITIES:
        label = "service/category" if name == "target" else name
        lines.append(f"  {label:<18}{report.field_accuracy(name):.1%}")
    lines.append(f"entity accuracy:  {report.entity_accuracy:.1%} "
                 f"({sum(report.entity_correct.values())}/{report.total * len(ENTITIES)})")
    if report.total:
        lines.append(f"messages with all entities right: {report.all_entities_correct / report.total:.1%}")
    if report.faq_total:
        lines.append(f"faq topic accuracy (faq-labelled lines): {report.faq_correct / report.faq_total:.1%} "
                     f"({report.faq_correct}/{report.faq_total})")
    confusions = [(k, v) for k, v in report.confusion.items() if k[0] != k[1]]
    if confusions:
        lines.append("")
        lines.append("intent confusions (labelled -> predicted):")
        for (want, got), n in sorted(confusions, key=lambda kv: -kv[1]):
            lines.append(f"  {want} -> {got}: {n}")
    if show_misses and report.misses:
        lines.append("")
        lines.append("misses:")
        for miss in report.misses:
            want = expected_fields(miss.case)
            detail = ", ".join(f"{f}: want {want[f]!r} got {miss.got[f]!r}" for f in miss.fields)
            lines.append(f"  {miss.case.source}  {miss.case.text!r}  -> {detail}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grihaseva.chatbot.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="JSON-lines files (default: tests/chatbot/labelled.jsonl)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not list the misses")
    args = parser.parse_args(argv)
    files = args.files or [str(DEFAULT_FILE)]
    cases: list[Case] = []
    for f in files:
        if not Path(f).is_file():
            parser.error(f"no such file: {f}")
        cases.extend(load_cases(f))
    report = evaluate(cases)
    print(f"files: {', '.join(files)}")
    print(format_report(report, show_misses=not args.quiet))
    ok = report.intent_accuracy >= THRESHOLD and report.entity_accuracy >= THRESHOLD
    print("")
    print("PASS" if ok else f"FAIL: intent and entity accuracy must both be at least {THRESHOLD:.0%}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
