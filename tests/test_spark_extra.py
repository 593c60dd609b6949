"""Issue 12: without the optional Spark extra, `countyedu assess --engine spark` is a user error
(exit 2) that says how to install it (`make spark`), not an internal error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from countyedu.census.store import CensusStore

WITHOUT_PYSPARK = (
    "import sys; sys.modules['pyspark'] = None\n"  # as if the extra were not installed
    "from countyedu.cli import main\n"
    "sys.argv = ['countyedu', *sys.argv[1:]]\n"
    "main()\n"
)


def test_the_spark_engine_without_its_extra_says_how_to_install_it(small_store: CensusStore) -> None:
    args = ["assess", "--engine", "spark", "--data-dir", str(small_store.data_dir)]
    proc = subprocess.run([sys.executable, "-c", WITHOUT_PYSPARK, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "make spark" in proc.stderr and "pyspark" in proc.stderr
    assert "内部错误" not in proc.stderr and "Traceback" not in proc.stderr
    assert "Spark 计算引擎需要" in proc.stderr  # Chinese first, then English


def test_every_column_kind_of_the_exchange_format_has_a_type_on_each_engine() -> None:
    """A new column kind (the tasks sheet's `date`) needs its DuckDB type and its Arrow type for the
    Parquet Spark reads: without the Arrow one every Spark run failed with KeyError 'date'."""
    from typing import get_args

    from countyedu.census.schema import SHEETS, Kind
    from countyedu.census.store import _SQL_TYPE
    from countyedu.indicators.spark import ARROW_TYPE

    kinds = set(get_args(Kind))
    assert {c.kind for s in SHEETS for c in s.columns} <= kinds
    assert kinds <= set(ARROW_TYPE) and kinds <= set(_SQL_TYPE), (kinds - set(ARROW_TYPE), kinds - set(_SQL_TYPE))


def test_ctrl_c_goes_to_pyspark_only_while_its_context_is_active(monkeypatch: pytest.MonkeyPatch) -> None:
    """PySpark's SIGINT handler, left in place after the session stopped, failed at the end of a test
    run ('NoneType' object has no attribute 'sc'): spark_session installs one that hands the signal to
    PySpark's while a context is active and to the handler before it afterwards."""
    import signal

    from pyspark import SparkContext

    from countyedu.indicators.spark import sigint_handler

    calls: list[str] = []
    handler = sigint_handler(lambda s, f: calls.append("before"), lambda s, f: calls.append("pyspark"))
    monkeypatch.setattr(SparkContext, "_active_spark_context", None)
    handler(signal.SIGINT, None)
    monkeypatch.setattr(SparkContext, "_active_spark_context", object())
    handler(signal.SIGINT, None)
    assert calls == ["before", "pyspark"]
    monkeypatch.setattr(SparkContext, "_active_spark_context", None)
    assert sigint_handler(signal.SIG_IGN, None)(signal.SIGINT, None) is None  # ignored before: ignored after
    with pytest.raises(KeyboardInterrupt):
        sigint_handler(signal.SIG_DFL, None)(signal.SIGINT, None)
