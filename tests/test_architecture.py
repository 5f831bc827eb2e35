"""The house rules, checked on the source with ``ast`` (no extra tool).

* No import circle between modules of ``ytclaims`` and ``flows``, counting the imports
  inside functions too (a lazy import hides a circle from Python, not from a reader);
  imports under ``if TYPE_CHECKING:`` are not run and do not count.
* Everything Prefect-specific lives in ``flows/``: no library module imports ``prefect``
  or ``flows`` (the command line, ``ytclaims.cli``, starts flows and may).
* Parsing a video reference imports no network code.
* The read side (``ytclaims.research``) never imports the write side's orchestration.
"""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import REPO

ROOTS = {"ytclaims": REPO / "src" / "ytclaims", "flows": REPO / "flows"}


def _module_name(path: Path) -> str:
    for top, root in ROOTS.items():
        if path.is_relative_to(root):
            parts = [top, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts)
    raise AssertionError(path)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for root in ROOTS.values() for p in root.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every module (of ``known``, or any top-level package) ``path`` imports, anywhere."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for sub in node.body:
                skip.update(id(n) for n in ast.walk(sub))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name in known:
                out.add(name)
            elif name.split(".")[0] in ROOTS:
                # `from x import y` where y is a name, not a module: the module is x.
                parent = name.rsplit(".", 1)[0]
                if parent in known:
                    out.add(parent)
            else:
                out.add(name.split(".")[0])
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: {i for i in _imports(p, known) if i in known and i != m} for m, p in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _transitive(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        m = todo.pop()
        for n in graph.get(m, ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def test_the_graph_is_read_from_the_source() -> None:
    graph = _graph()
    assert "ytclaims.pipeline" in graph and "flows.ingest" in graph
    assert "ytclaims.pipeline" in graph["flows.ingest"]
    assert "ytclaims.records" in graph["ytclaims.warehouse.load"]


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_circle_finder_finds_circles() -> None:
    """The check above can fail: a made-up graph with a lazy back edge is a circle."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_prefect_stays_in_flows() -> None:
    mods = _modules()
    known = set(mods)
    offenders = {
        m: sorted(i for i in _imports(p, known) if i == "prefect" or i.startswith("flows"))
        for m, p in mods.items()
        if m.startswith("ytclaims") and m != "ytclaims.cli"
    }
    assert {m: v for m, v in offenders.items() if v} == {}


def test_parsing_a_video_reference_imports_no_network_code() -> None:
    mods = _modules()
    known = set(mods)
    raw = {m: _imports(p, known) for m, p in mods.items()}
    reached = {"ytclaims.sources.youtube.refs"} | _transitive(raw, "ytclaims.sources.youtube.refs")
    external = {i for m in reached if m in raw for i in raw[m] if i not in known}
    assert not external & {"requests", "youtube_transcript_api", "prefect", "spacy"}
    assert "ytclaims.sources.youtube.fetch" not in reached


def test_read_side_does_not_reach_into_orchestration() -> None:
    graph = _graph()
    for m in (m for m in graph if m.startswith("ytclaims.research")):
        reached = _transitive(graph, m)
        assert not reached & {"ytclaims.pipeline", "ytclaims.worker", "ytclaims.fetching"}, m
