"""Build the compiled kernel (compliance/_kernel.c); everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("compliance._kernel", ["compliance/_kernel.c"], extra_compile_args=["-O3"])])
