"""Shared fixtures: tiny hand-checkable models and helpers that write model files."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

import factormodel as fm

# CI runs the property tests with fixed examples (a submission's tests are deterministic) and
# no deadline (a shared machine's load is no test failure); developers get fresh examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

NODE_HEADER = ["id", "kind", "setting", "label_nl", "label_en", "phases", "modifiable",
               "desired", "description"]
EDGE_HEADER = ["source", "target", "weight", "strength", "sd", "source_ref", "note"]

# A three-node chain: a (risk) -> b (protective) -> y (outcome, lower is better)
CHAIN_NODES = [
    ["a", "risk", "thuis", "armoede", "poverty", "all", "false", "", ""],
    ["b", "protective", "school", "prestaties", "achievement", "4-12 12-18", "true", "", ""],
    ["y", "outcome", "kansrijk", "vsv", "early school leaving", "12-18", "false", "lower", ""],
]
CHAIN_EDGES = [
    ["a", "b", "-0.5", "matig", "0.1", "expert judgement", ""],
    ["b", "y", "-0.4", "sterk", "0.1", "Some et al. (2020)", ""],
]
CHAIN_META = {"name": "chain", "version": "1", "status": "illustrative"}


def write_table(path: Path, header: list[str], rows: list[list[str]], *, sep: str = ",",
                encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=sep, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_folder(folder: Path, nodes: list[list[str]] | None = None,
                 edges: list[list[str]] | None = None, meta: dict | None = None, *,
                 node_header: list[str] | None = None, edge_header: list[str] | None = None,
                 sep: str = ",", encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_table(folder / "nodes.csv", node_header or NODE_HEADER,
                CHAIN_NODES if nodes is None else nodes, sep=sep, encoding=encoding)
    write_table(folder / "edges.csv", edge_header or EDGE_HEADER,
                CHAIN_EDGES if edges is None else edges, sep=sep, encoding=encoding)
    (folder / "metadata.json").write_text(json.dumps(CHAIN_META if meta is None else meta),
                                          encoding="utf-8")
    return folder


@pytest.fixture
def chain_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "chain")


@pytest.fixture
def chain(chain_folder: Path) -> fm.FactorModel:
    return fm.read_model(chain_folder)


@pytest.fixture
def toy() -> fm.FactorModel:
    return fm.load_model("toy")


@pytest.fixture
def rotterdam() -> fm.FactorModel:
    return fm.load_model("rotterdam-jeugd")


def problems_of(exc_info: pytest.ExceptionInfo) -> list[str]:
    """The problems of a ModelValidationError as 'where: message' strings."""
    return [str(p) for p in exc_info.value.problems]


def one_problem(exc_info: pytest.ExceptionInfo, *fragments: str) -> str:
    """Assert exactly one problem mentions every fragment; return it."""
    hits = [p for p in problems_of(exc_info) if all(f in p for f in fragments)]
    assert len(hits) == 1, f"expected one problem with {fragments}, got {problems_of(exc_info)}"
    return hits[0]
