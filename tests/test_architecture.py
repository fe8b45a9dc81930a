"""Every arrow points one way (docs/architecture.md): checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

# Modules allowed to import Textual: the TUI and the commands that start it.
UI_PREFIXES = ("kiosk.tui", "kiosk.commands.run_cmd", "kiosk.commands.demo_cmd", "kiosk.demo")


def _modules(package: str) -> dict[str, set[str]]:
    imports: dict[str, set[str]] = {}
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        relative = path.relative_to(REPO_ROOT).with_suffix("")
        name = ".".join(part for part in relative.parts if part != "__init__")
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
        imports[name] = found
    return imports


def _offenders(imports: dict[str, set[str]], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in imports.items()
        for target in targets
        if target.split(".")[0] in forbidden or target.startswith(forbidden)
    )


def test_domain_code_never_imports_textual() -> None:
    domain = {m: t for m, t in _modules("kiosk").items() if not m.startswith(UI_PREFIXES)}
    assert _offenders(domain, ("textual",)) == []


def test_drivers_know_nothing_of_students_or_the_ui() -> None:
    imports = _modules("drivers")
    offenders = [
        line
        for line in _offenders(imports, ("kiosk", "textual", "sqlmodel", "sqlalchemy"))
        if not line.endswith("imports kiosk.errors")  # the shared UserError is allowed
    ]
    assert offenders == []


def test_cards_know_nothing_of_the_database() -> None:
    cards = {m: t for m, t in _modules("kiosk").items() if m.startswith("kiosk.cards")}
    assert _offenders(cards, ("sqlmodel", "sqlalchemy", "kiosk.db", "textual")) == []


def test_services_do_not_import_the_cli_or_tui() -> None:
    services = {
        m: t
        for m, t in _modules("kiosk").items()
        if not m.startswith(("kiosk.tui", "kiosk.commands", "kiosk.cli", "kiosk.demo"))
        and m != "kiosk.__main__"
    }
    assert _offenders(services, ("kiosk.tui", "kiosk.commands", "kiosk.cli")) == []


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    # Guard against a checker that cannot fail: it must find a known import.
    assert "kiosk.db.engine" in _modules("kiosk")["kiosk.db.session"]


def test_screens_reach_the_domain_only_through_the_desk() -> None:
    """The TUI holds no engine and no SQL (kiosk.desk.KioskDesk is its one way in), and blocks
    in one way only: awaiting the desk."""
    tui = {m: t for m, t in _modules("kiosk").items() if m.startswith("kiosk.tui")}
    assert tui, "the checker sees the TUI"
    forbidden = ("sqlalchemy", "sqlmodel", "kiosk.db", "kiosk.checkin.service")
    assert _offenders(tui, forbidden) == []
    for path in sorted((REPO_ROOT / "kiosk" / "tui").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for needle in (".engine", "to_thread(", "CheckInService"):
            assert needle not in source, f"{path.relative_to(REPO_ROOT)} uses {needle}"


def test_drivers_import_no_circle() -> None:
    """drivers/ imports form no cycle (readers -> each driver -> spec, one way)."""
    imports = {
        module: {t for t in targets if t.startswith("drivers.")}
        for module, targets in _modules("drivers").items()
    }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for target in imports.get(start, ()):
            if target == goal or (target not in seen and reaches(target, goal, seen | {target})):
                return True
        return False

    assert [m for m in imports if reaches(m, m, {m})] == []
