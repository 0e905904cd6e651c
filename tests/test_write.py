"""Every write (add, import, edit, rm, export -o) leaves the catalog as `fmt` would and no litter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from effllm_catalog.cli import app

from .conftest import MakeCatalog
from .test_edit import LORA_ARGS


def _ok(result: object) -> None:
    exc = getattr(result, "exception", None)
    assert exc is None or (isinstance(exc, SystemExit) and exc.code == 0), result


def _fmt_clean(runner: CliRunner, folder: Path) -> None:
    result = runner.invoke(app, ["fmt", "--check", "--catalog", str(folder)])
    assert result.exit_code == 0 and result.exception is None, result.output


def _entries(folder: Path) -> dict[str, dict[str, object]]:
    data = yaml.safe_load((folder / "references.yaml").read_text(encoding="utf-8"))
    return {e["key"]: e for e in data}


def test_import_writes_as_fmt_and_takes_tags_per_entry(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """import reads each entry's taxonomy tags from `keywords`; fmt --check passes afterwards."""
    folder = make_catalog()
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@inproceedings{hu2022lora, title={LoRA: Low-Rank Adaptation of Large Language Models},"
        " author={Hu, Edward J. and Shen, Yelong}, booktitle={ICLR}, year={2022},"
        " eprint={2106.09685}, archiveprefix={arXiv}, keywords={lora, my reading list}}\n"
        "@misc{kaplan2020scaling, title={Scaling Laws for Neural Language Models},"
        " author={Kaplan, Jared}, year={2020}, eprint={2001.08361}, archiveprefix={arXiv},"
        " keywords={scaling-laws}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(bib), "--catalog", str(folder)])
    assert result.exit_code == 0, result.output
    _ok(result)
    entries = _entries(folder)
    assert entries["hu2022lora"]["tags"] == ["training.tuning.peft.low-rank"]
    assert entries["hu2022lora"]["extra"] == {"keywords": "my reading list"}
    assert entries["kaplan2020scaling"]["tags"] == ["budget.scaling-laws"]
    _fmt_clean(runner, folder)


def test_edit_tags_and_fields_then_fmt_passes(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """edit adds/removes tags and sets fields, keeps the key, and writes as fmt would."""
    folder = make_catalog()
    result = runner.invoke(
        app,
        [
            "edit",
            "dettmers2023qlora",
            "--remove-tag",
            "inference.quantization",
            "--add-tag",
            "ptq",
            "--set",
            "names=QLoRA",
            "--set",
            "extra.pages=10088--10115",
            "--catalog",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    _ok(result)
    entry = _entries(folder)["dettmers2023qlora"]
    assert entry["tags"] == [
        "training.tuning.peft.low-rank",
        "inference.quantization.post-training",
    ]
    assert entry["names"] == ["QLoRA"]
    assert entry["extra"] == {"pages": "10088--10115"}
    _fmt_clean(runner, folder)


def test_edit_validates_first_and_never_changes_a_key(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    """A bad value or a key change is refused with a message in the catalog's words; no write."""
    folder = make_catalog()
    before = (folder / "references.yaml").read_bytes()
    for args, words in (
        (["--set", "year=24"], "year 24 is not plausible (1950.."),
        (["--set", "key=other2023x"], "citation key never changes"),
        (["--add-tag", "no-such-node"], "no-such-node"),
        (["--remove-tag", "ptq"], "has no tag"),
    ):
        result = runner.invoke(app, ["edit", "dettmers2023qlora", *args, "--catalog", str(folder)])
        assert result.exit_code in (1, 2), (args, result.output)
        assert isinstance(result.exception, SystemExit), result.exception
        assert words in result.output, (args, result.output)
        assert "greater than" not in result.output
    assert (folder / "references.yaml").read_bytes() == before


def test_rm_removes_one_entry_as_fmt_would(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """rm deletes exactly one entry and fmt --check passes afterwards."""
    folder = make_catalog()
    result = runner.invoke(app, ["rm", "dettmers2023qlora", "--catalog", str(folder)])
    assert result.exit_code == 0, result.output
    _ok(result)
    assert list(_entries(folder)) == ["frantar2023sparsegpt"]
    _fmt_clean(runner, folder)
    missing = runner.invoke(app, ["rm", "dettmers2023qlor", "--catalog", str(folder)])
    assert missing.exit_code == 1 and "no entry with key" in missing.output


@pytest.mark.parametrize(
    "given",
    ["https://arxiv.org/abs/2106.09685", "arXiv:2106.09685", "http://arxiv.org/pdf/2106.09685.pdf"],
)
def test_add_normalises_arxiv_urls(
    runner: CliRunner, make_catalog: MakeCatalog, given: str
) -> None:
    """--arxiv accepts an abs/pdf URL or arXiv:ID and stores the bare id."""
    folder = make_catalog()
    args = [a if a != "2106.09685" else given for a in LORA_ARGS]
    result = runner.invoke(app, ["add", *args, "--catalog", str(folder)])
    assert result.exit_code == 0, result.output
    assert _entries(folder)["hu2022lora"]["arxiv"] == "2106.09685"


def test_add_year_range_matches_validate(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """--year 24 and --year 1900 get validate's own message and range, not pydantic's."""
    folder = make_catalog()
    for year in ("24", "1900"):
        args = [a if a != "2022" else year for a in LORA_ARGS]
        result = runner.invoke(app, ["add", *args, "--catalog", str(folder)])
        assert result.exit_code == 1, result.output
        assert f"year {year} is not plausible (1950.." in result.output
        assert "Input should" not in result.output


def test_add_type_follows_the_venue(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    """Without --type, a journal gives article, arXiv misc; an explicit mismatch is refused."""
    folder = make_catalog()
    args = [a if a != "ICLR" else "TMLR" for a in LORA_ARGS]
    result = runner.invoke(app, ["add", *args, "--catalog", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "type: article" in result.stdout
    bad = runner.invoke(
        app, ["add", *LORA_ARGS, "--venue", "arXiv", "--type", "inproceedings", "-C", str(folder)]
    )
    assert bad.exit_code == 1 and "a preprint is type misc" in bad.output


def test_export_to_file_leaves_no_lock(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """export -o out.bib writes out.bib and nothing else in the user's folder."""
    folder = make_catalog()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = runner.invoke(
        app, ["export", "bibtex", "-o", str(out_dir / "out.bib"), "--catalog", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in out_dir.iterdir()] == ["out.bib"]
    assert sorted(p.name for p in folder.iterdir()) == ["references.yaml", "taxonomy.yaml"]


def test_json_import_report_is_unchanged_by_tags(
    runner: CliRunner, make_catalog: MakeCatalog, tmp_path: Path
) -> None:
    """An entry without taxonomy keywords and without --tag fails with the reason, others import."""
    folder = make_catalog()
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@misc{a, title={Untagged Paper About Things}, author={Doe, Jane}, year={2023},"
        " eprint={2301.11111}, archiveprefix={arXiv}, keywords={unrelated}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(bib), "--catalog", str(folder), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert "no taxonomy tag" in report["failed"][0]["problem"]


def test_edit_can_fix_the_entry_that_breaks_the_catalog(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    """The entry being edited may be invalid (a wrong tag, a bad URL): edit is how it gets fixed."""
    from .conftest import QLORA, SPARSEGPT

    broken = SPARSEGPT.replace("inference.pruning.unstructured", "ptqq").replace(
        "code: https://github.com/IST-DASLab/sparsegpt", "code: github.com/x"
    )
    folder = make_catalog(broken + QLORA)
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 1
    result = runner.invoke(
        app,
        [
            "edit",
            "frantar2023sparsegpt",
            "--remove-tag",
            "ptqq",
            "--add-tag",
            "inference.pruning.unstructured",
            "--set",
            "code=https://github.com/IST-DASLab/sparsegpt",
            "-C",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["validate", str(folder), "--strict"])
    assert check.exit_code == 0, check.output
    _fmt_clean(runner, folder)
    # Another entry's errors still block an edit: the command fixes one entry at a time.
    other = runner.invoke(
        app,
        [
            "edit",
            "dettmers2023qlora",
            "--set",
            "names=QLoRA",
            "-C",
            str(make_catalog(broken + QLORA)),
        ],
    )
    assert other.exit_code == 1 and "fix them before changing it" in other.output
