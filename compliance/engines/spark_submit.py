"""The file ``spark-submit`` runs: the ``compliance`` command line, inside a Spark application.

spark-submit wants a Python file, not a console script::

    spark-submit --master yarn ... "$(python -m compliance.engines.spark_submit --path)" \\
        --db registry.db scan --engine spark warc.paths --output hdfs:///scans/2025-06

Run under spark-submit, ``scan --engine spark`` uses the session spark-submit
configured (master, executors, the Python of the shipped environment), unless
``--master`` is given.  ``--path`` alone prints this file's path.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    """Print this file's path (``--path``), else run the compliance CLI with the arguments."""
    if sys.argv[1:] == ["--path"]:
        print(Path(__file__).resolve())
        return
    from compliance.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
