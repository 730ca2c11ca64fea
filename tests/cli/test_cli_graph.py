"""`furu deps`, `furu rdeps`, `furu dag`: trees from recorded dependencies."""

from __future__ import annotations


def flatten(node: dict, depth: int = 0) -> list[tuple[int, str, str, str, bool]]:
    rows = [(depth, node["fqn"], node["hash"], node["edge"], node["repeated"])]
    for child in node["children"]:
        rows += flatten(child, depth + 1)
    return rows


def test_deps_is_transitive(furu_cli, made):
    tree = furu_cli.json("deps", made.summary.furu_hash[:8])
    assert flatten(tree) == [
        (0, "examples.Summary", made.summary.furu_hash, "root", False),
        (1, "examples.Train", made.train.furu_hash, "declared+loaded", False),
        (2, "examples.PrepareData", made.toy.furu_hash, "declared+loaded", False),
    ]
    assert flatten(furu_cli.json("deps", made.summary.furu_hash[:8], "--depth", "1"))[1:] == [
        (1, "examples.Train", made.train.furu_hash, "declared+loaded", False)
    ]
    out = furu_cli("deps", made.summary.furu_hash[:8]).stdout.splitlines()
    assert out == [
        f"success examples.Summary {made.summary.furu_hash[:8]}",
        f"└── success examples.Train {made.train.furu_hash[:8]} (declared+loaded)",
        f"    └── success examples.PrepareData {made.toy.furu_hash[:8]} (declared+loaded)",
    ]


def test_deps_shows_declared_only_and_missing(furu_cli, made):
    tree = furu_cli.json("deps", made.pipeline.furu_hash[:8])
    children = {(c["hash"], c["edge"], c["status"]) for c in tree["children"]}
    extra = made.pipeline._dependencies()[0]
    assert children == {
        (made.a.furu_hash, "declared+loaded", "success"),
        (made.b.furu_hash, "declared+loaded", "success"),
        (extra.furu_hash, "declared", "missing"),  # declared, never loaded, never created
    }


def test_rdeps_is_transitive(furu_cli, made):
    tree = furu_cli.json("rdeps", made.toy.furu_hash[:8])
    assert flatten(tree) == [
        (0, "examples.PrepareData", made.toy.furu_hash, "root", False),
        (1, "examples.Train", made.train.furu_hash, "declared+loaded", False),
        (2, "examples.Summary", made.summary.furu_hash, "declared+loaded", False),
    ]
    assert flatten(furu_cli.json("rdeps", made.summary.furu_hash[:8])) == [
        (0, "examples.Summary", made.summary.furu_hash, "root", False)
    ]


def test_dag_is_the_class_graph(furu_cli, made):
    graph = furu_cli.json("dag")
    assert graph["classes"] == {
        "examples.Flaky": 1, "examples.Pipeline": 1, "examples.PrepareData": 3, "examples.Summary": 1, "examples.Train": 1,
    }
    assert graph["edges"] == [
        {"source": "examples.Pipeline", "target": "examples.PrepareData", "artifacts": 1},
        {"source": "examples.Summary", "target": "examples.Train", "artifacts": 1},
        {"source": "examples.Train", "target": "examples.PrepareData", "artifacts": 1},
    ]
    out = furu_cli("dag").stdout
    assert "examples.Summary (1)" in out
    assert "examples.PrepareData (3; see above) <- 1" in out
