"""Contract-test output: a progress line per operation, the summary table, and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path

from ndxp_sim.testing.contract_results import CheckResult

Echo = Callable[[str], None]


def progress_line(service: str, operation: str, results: Sequence[CheckResult]) -> str:
    """`csdl_dkdn chiTietDoanhNghiep  example 3/3 ok, positive 20 ok, negative 20 FAIL`."""
    parts = []
    for kind, group in groupby(results, key=lambda r: r.kind):
        checks = list(group)
        run = sum(r.cases_run for r in checks)
        verdict = "ok" if all(r.passed for r in checks) else "FAIL"
        parts.append(f"{kind} {run} {verdict}")
    return f"{service} {operation}: " + (", ".join(parts) or "nothing to run")


def _rows(results: Sequence[CheckResult]) -> list[tuple[str, str, str, str]]:
    rows = []
    for (service, operation), group in groupby(results, key=lambda r: (r.service, r.operation)):
        checks = list(group)
        failed = sum(1 for r in checks if not r.passed)
        cases = sum(r.cases_run for r in checks)
        rows.append((service, operation, str(cases), "pass" if not failed else f"FAIL ({failed})"))
    return rows


def print_summary(results: Sequence[CheckResult], echo: Echo) -> None:
    """The per-operation table, then each failure with its reason and a curl line to reproduce it."""
    header = ("service", "operation", "cases", "result")
    rows = [header, *_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    echo("")
    for index, row in enumerate(rows):
        echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            echo("  ".join("-" * width for width in widths))
    failures = [r for r in results if not r.passed]
    for result in failures:
        echo("")
        echo(f"FAIL {result.service} {result.operation} [{result.kind}] {result.name}")
        for reason in result.reasons:
            echo(f"  {reason}")
        if result.curl:
            echo(f"  reproduce: {result.curl}")
    passed = len(results) - len(failures)
    echo("")
    echo(f"{passed} passed, {len(failures)} failed")


def write_junit(results: Sequence[CheckResult], path: Path) -> None:
    """One <testsuite> per service, one <testcase> per check (example case or generated batch)."""
    root = ET.Element("testsuites", name="ndxp-sim contract-test")
    for service, group in groupby(results, key=lambda r: r.service):
        checks = list(group)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=service,
            tests=str(len(checks)),
            failures=str(sum(1 for r in checks if not r.passed)),
            errors="0",
            time=f"{sum(r.seconds for r in checks):.3f}",
        )
        for result in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{service}.{result.operation}",
                name=f"{result.kind}: {result.name}",
                time=f"{result.seconds:.3f}",
            )
            if not result.passed:
                failure = ET.SubElement(case, "failure", message=result.reasons[0])
                failure.text = "\n".join([*result.reasons, *([result.curl] if result.curl else [])])
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
