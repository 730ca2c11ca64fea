"""The CLI says what it means: one reference parser, typos as errors, honest labels, exit codes, help.

Import paths and shell quoting matter here, so every case runs the real
``furu`` console script in a subprocess against a throwaway project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from throwaway import create, furu, furu_json, make_project, python

REF_COMMANDS = ("show", "deps", "rdeps", "logs")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = make_project(tmp_path / "proj")
    hashes = create(root, 'Data(name="x")', "Report()")
    return root, hashes


def test_a_quoted_spec_works_wherever_a_reference_is_taken(project):
    root, hashes = project
    wanted = hashes['Data(name="x")']
    for command in REF_COMMANDS:
        result = furu(root, command, "lab.steps:Data name=x", "--json")
        assert wanted in result.stdout, command
    assert furu_json(root, "show", "lab.steps:Data", "name=x")["record"]["hash"] == wanted  # unquoted words too
    assert furu_json(root, "tag", "lab.steps:Data name=x", "best")["tags"] == ["best"]
    assert furu_json(root, "name", "lab.steps:Data name=x", "mine")["name"] == "mine"
    diff = furu_json(root, "diff", "lab.steps:Data name=x", "lab.steps:Data name=d")
    assert [(c["path"], c["a"], c["b"]) for c in diff["changes"]] == [("name", "x", "d")]
    bundle = root / "x.furu"
    furu(root, "export", "lab.steps:Data name=x", "-o", str(bundle))
    assert bundle.is_file()
    travel = furu(root, "timetravel", "lab.steps:Data name=x", code=1)
    assert "has no code snapshot" in travel.stderr  # resolved, then refused for the right reason
    assert furu_json(root, "invalidate", "lab.steps:Data name=x")["invalidated"][0]["hash"] == wanted


def test_the_dotted_name_ls_prints_is_a_class(project):
    root, _ = project
    create(root, "Data()")
    shown = furu_json(root, "show", "lab.steps.Data")
    assert shown["record"]["fqn"] == "lab.steps.Data" and shown["record"]["config"]["name"] == "d"
    for words in (["lab.steps.Data name=x"], ["lab.steps.Data", "name=x"]):  # with fields, quoted or not
        assert furu_json(root, "show", *words)["record"]["config"]["name"] == "x"
    module = furu(root, "show", "lab.steps", code=1).stderr
    assert "For a class, write module:Class (e.g. lab.steps:<Class>)" in module
    missing = furu(root, "show", "lab.steps.Nope", code=1).stderr
    assert "(e.g. lab.steps:Nope)" in missing and "renamed" not in missing
    assert "No closing quotation" in furu(root, "show", "lab.steps:Data name='x", code=1).stderr


def test_typos_in_ls_are_errors(project):
    root, _ = project
    field = furu(root, "ls", "nmae=x", code=1).stderr
    assert field.startswith("error: Filter 'nmae=x': no artifact's config has a field 'nmae'. Did you mean 'name'?")
    assert "Config fields: data, extra, model, name, weights (nested ones as data.name)" in field
    op = furu(root, "ls", "name>>1", code=1).stderr
    assert "'>>' is not an operator; OP is one of = != ~ !~ > >= < <=" in op
    sort = furu(root, "ls", "--sort", "bogus", code=1).stderr
    assert "Cannot sort by 'bogus': it is not one of created, updated, runtime, status, class, namespace, size, hash, name, host, user" in sort
    assert "Did you mean 'created'?" in furu(root, "ls", "--sort", "crated", code=1).stderr
    assert "Did you mean 'model.data.name'?" in furu(root, "ls", "model.data.nme=d", code=1).stderr
    # real fields that match nothing are still an empty listing, not an error
    assert furu(root, "ls", "name=zzz").stdout.splitlines()[0] == "0 shown, 0 matching, 4 artifacts"  # no error
    assert furu(root, "ls", "model.data.name=zzz").stdout.strip() == "0 shown, 0 matching, 4 artifacts"
    assert "4 shown" in furu(root, "ls", "--sort", "model.data.name").stdout


def test_diff_across_classes_says_added_and_removed(project):
    root, _ = project
    create(root, "Data()")
    result = furu(root, "diff", "lab.steps:Data", "lab.steps:Report")
    rows = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()[2:]}
    assert rows["model"] == "added" and rows["name"] == "removed"
    assert "not hashed" not in result.stdout
    changes = {c["path"]: c for c in furu_json(root, "diff", "lab.steps:Data", "lab.steps:Report")["changes"]}
    assert changes["name"]["affects_hash"] is True and changes["model"]["affects_hash"] is True


def test_option_errors_use_plain_words(project):
    root, _ = project
    limit = furu(root, "ls", "--limit", "abc", code=1).stderr
    assert limit == "error: Invalid value for '--limit' / '-n': expected a whole number (e.g. 10). See `furu ls --help`.\n"
    code = furu(root, "export", "--code", "bogus", "x", "-o", "y", code=1).stderr
    assert "Value error" not in code and "'bogus' is not one of 'bundle', 'none'" in code


def test_export_refuses_to_overwrite_and_import_refusals_exit_1(project):
    root, hashes = project
    bundle = root / "b.furu"
    bundle.write_text("someone's bundle")
    refused = furu(root, "export", hashes["Report()"], "-o", str(bundle), code=1).stderr
    assert refused == f"error: {bundle} already exists; add --force to replace it, or choose another --output.\n"
    assert bundle.read_text() == "someone's bundle"
    furu(root, "export", hashes["Report()"], "-o", str(bundle), "--force")
    other = make_project(root.parent / "other")
    assert create(other, "Report()") == {"Report()": hashes["Report()"]}
    report = other / "furu-data" / "data" / "lab" / "steps" / "Report" / hashes["Report()"] / "report.txt"
    report.write_text("a different result")  # same hash, other result: refused without --overwrite
    result = furu(other, "import", str(bundle), code=None)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "refused" in result.stdout and "error: 1 artifact of 3 refused" in result.stderr


def test_help_has_no_type_tags_on_flags_and_names_arguments(project):
    root, _ = project
    show = furu(root, "show", "--help").stdout
    assert "Usage: furu show [OPTIONS] REF..." in show and "<bool>" not in show and "<list[str]>" not in show
    assert "<int>" in show  # a value option still says what it takes
    ls_help = furu(root, "ls", "--help").stdout
    assert "Usage: furu ls [OPTIONS] [FILTERS...]" in ls_help
    assert "<list[" not in ls_help and "<list[" not in furu(root, "run", "--help").stdout  # repeatable options
    assert "<bool>" not in furu(root, "--help").stdout
    assert "Usage: furu timetravel [OPTIONS] REF" in furu(root, "timetravel", "--help").stdout


def test_a_module_without_a_class_is_a_usage_error_that_shows_the_form(project):
    root, _ = project
    message = furu(root, "run", "lab.steps", code=1).stderr
    assert message == (
        "error: lab.steps is a module, not a class: name the class in it as module:Class, "
        "e.g. `furu run lab.steps:<Class> key=value`.\n"
    )
    assert "renamed" not in message and "gc" not in message


def test_gc_counts_in_words(project):
    root, _ = project
    python(root, "from lab.steps import Broken\nBroken().load_or_create()")
    [broken] = [r for r in furu_json(root, "ls") if r["status"] == "failed"]
    furu(root, "tag", broken["hash"], "keep")  # a tagged failure is protected
    out = furu(root, "gc", "--older-than", "0s").stdout
    assert "1 more is protected (tagged or version-controlled)" in out
    assert "furu gc --yes deletes 2 artifacts (" in out


def test_a_built_in_key_that_is_also_a_config_field_says_how_to_reach_the_field(project):
    root, _ = project
    out = furu(root, "ls", "name=x").stdout.splitlines()
    assert out == [
        "0 shown, 0 matching, 4 artifacts",
        "`name` is a built-in key (furu's own name); for the config field `name`, write 'config.name=x'.",
    ]
    assert [r["config"]["name"] for r in furu_json(root, "ls", "config.name=x")] == ["x"]
