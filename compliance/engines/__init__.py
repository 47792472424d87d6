"""Scan engines beyond the local loop (Spark)."""
