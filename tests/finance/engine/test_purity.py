"""The engine is a pure package: nothing in it may import Django."""

import ast
import subprocess
import sys
from pathlib import Path

import finance.engine

ENGINE_DIR = Path(finance.engine.__file__).parent


def test_no_engine_module_mentions_django_in_an_import():
    offenders = []
    for path in sorted(ENGINE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"django", "rest_framework"}
            ]
    assert len(list(ENGINE_DIR.glob("*.py"))) >= 8
    assert offenders == []


def test_importing_and_running_the_engine_loads_no_django_module():
    code = (
        "import sys, pkgutil, importlib, finance.engine as e\n"
        "for m in pkgutil.iter_modules(e.__path__):\n"
        "    importlib.import_module('finance.engine.' + m.name)\n"
        "print(sorted(n for n in sys.modules if n == 'django' or n.startswith('django.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
