"""compliance: find copies of a publisher's registered articles in crawled text.

Register works (with their copyright notices) in an SQLite registry, scan
crawled documents for copied passages, turn each match into a verdict from the
rules in ``rules/``, and report violations with the evidence and the rights
contact.  The CLI (``compliance``) is a thin layer over this library.
"""

import os as _os

# numpy's OpenBLAS starts a thread per core that spins while idle; compliance does no linear algebra, and the
# spinning threads took CPU from the scan's own worker processes (seen as a tenth of a profile).
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"

__all__ = ["__version__"]
