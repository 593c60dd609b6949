"""What `countyedu import` loads (issue 12 item 1): validation imports pandera without the Spark
types pandera registers when pyspark is installed (the spark extra), and pyspark stays importable."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark not installed (the spark extra)")
def test_validation_loads_no_spark_and_leaves_it_importable() -> None:
    code = (
        "import sys\nimport countyedu.census.importer\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyspark'))\n"
        "import pyspark.pandas\nprint('pyspark.pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.split() == ["[]", "True"]
