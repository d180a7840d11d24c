"""Sphinx configuration: the API reference built from the numpydoc docstrings.

Built in CI (``.ci/run``), not published:
``python -m sphinx -W --keep-going -b html docs /tmp/docs-build``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import factormodel

project = "factormodel"
author = "factormodel developers"
release = version = factormodel.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "figures"]
suppress_warnings = ["myst.xref_missing"]  # links into the repository outside docs/

autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"factormodel {release}"
