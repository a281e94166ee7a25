"""The finder's job core is pure like the engine: it can be run and benchmarked without Django."""

import subprocess
import sys


def test_the_finder_core_loads_no_django_module():
    code = (
        "import sys\n"
        "import departments.finder.core, departments.finder.clustering, departments.finder.valuation\n"
        "print(sorted(n for n in sys.modules if n == 'django' or n.startswith('django.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
