"""compliance: find copies of a publisher's registered articles in crawled text.

Register works (with their copyright notices) in an SQLite registry, scan
crawled documents for copied passages, turn each match into a verdict from the
rules in ``rules/``, and report violations with the evidence and the rights
contact.  The CLI (``compliance``) is a thin layer over this library.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
