"""The folders import only downward, and the gateway app loads no mock backend."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Folder -> the folders it may import from (besides itself).
ALLOWED = {
    "core": set(),
    "contracts": {"core"},
    "adapters": {"core", "contracts"},
    "mock_services": {"core", "contracts"},
    "gateway": {"core", "contracts", "adapters", "mock_services"},
    "testing": {"core", "contracts", "adapters", "mock_services", "gateway"},
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_folder_imports_only_downward(folder: str) -> None:
    wrong = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] in ALLOWED:
                wrong.append(f"{path.relative_to(ROOT)} imports {module} (not as ndxp_sim.{module})")
                continue
            layer = parts[1] if parts[0] == "ndxp_sim" and len(parts) > 1 else None
            if layer in ALLOWED and layer != folder and layer not in ALLOWED[folder]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_gateway_app_loads_no_mock_backend() -> None:
    code = (
        "import ndxp_sim.gateway.app, sys;"
        "print(sorted(m for m in sys.modules if m.startswith('ndxp_sim.mock_services')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"


def test_adapters_load_neither_gateway_nor_mocks() -> None:
    code = (
        "import ndxp_sim.adapters.registry as r, sys; r.load_adapters();"
        "above = ('ndxp_sim.gateway', 'ndxp_sim.mock_services');"
        "print(sorted(m for m in sys.modules if m.startswith(above)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"


def test_every_package_folder_is_installed() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    code_folders = {
        "ndxp_sim." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in ALLOWED
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert code_folders <= listed, f"not installed: {sorted(code_folders - listed)}"
    missing = [name for name in listed if not (ROOT / Path(*name.split(".")[1:])).is_dir()]
    assert not missing, f"listed but no such folder: {missing}"
