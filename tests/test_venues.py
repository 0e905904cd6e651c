"""The canonical venue table: lookups, full names per edition, and its own validation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from effllm_catalog.venues import load_venues, ordinal, ordinal_word, read_venues

from .conftest import BUNDLED


@pytest.mark.parametrize(
    ("venue", "year", "full"),
    [
        ("NeurIPS", 2024, "Advances in Neural Information Processing Systems 37"),
        ("ICML", 2024, "Proceedings of the 41st International Conference on Machine Learning"),
        ("ICLR", 2024, "The Twelfth International Conference on Learning Representations"),
        ("NIPS", 2017, "Advances in Neural Information Processing Systems 30"),
        (
            "ACL",
            2023,
            "Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics",
        ),
        (
            "Findings of EMNLP",
            2023,
            "Findings of the Association for Computational Linguistics: EMNLP 2023",
        ),
        (
            "SOSP",
            2024,
            "Proceedings of the ACM SIGOPS 30th Symposium on Operating Systems Principles",
        ),
        ("OSDI", 2019, "USENIX Symposium on Operating Systems Design and Implementation"),
        ("Unknown Venue", 2024, "Unknown Venue"),
    ],
)
def test_full_name_per_edition(venue: str, year: int, full: str) -> None:
    """The full name follows the edition (template or explicit year), else the venue's name."""
    assert load_venues().full_name(venue, year) == full


def test_ordinals() -> None:
    """Ordinals as digits and as words, the way proceedings titles spell them."""
    assert [ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 41, 62)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "41st", "62nd"
    ]  # fmt: skip
    assert [ordinal_word(n) for n in (1, 12, 19, 20, 40, 41)] == [
        "First", "Twelfth", "Nineteenth", "Twentieth", "Fortieth", "Forty-First"
    ]  # fmt: skip


def test_every_bundled_venue_is_in_the_table() -> None:
    """Each venue string the bundled catalog uses is a short name of the table."""
    table = load_venues(BUNDLED)
    data = yaml.safe_load((BUNDLED / "references.yaml").read_text(encoding="utf-8"))
    used = {e["venue"] for e in data if e.get("venue")}
    assert sorted(v for v in used if v not in table) == []


def test_aliases_and_suggestions() -> None:
    """Aliases and full names map to the short name (any case); typos get a suggestion."""
    table = load_venues()
    assert table.canonical("Advances in Neural Information Processing Systems") == "NeurIPS"
    assert table.canonical("corr") == "arXiv"
    assert table.entry_type("TMLR") == "article"
    assert table.entry_type("arXiv") == "misc"
    assert "NeurIPS" in table.suggest("NeurlPS")


def test_main_venues_are_covered() -> None:
    """The main ML, NLP and systems venues the field publishes in are all in the table."""
    table = load_venues()
    wanted = [
        "ICLR",
        "ICML",
        "NeurIPS",
        "ACL",
        "EMNLP",
        "NAACL",
        "EACL",
        "COLING",
        "TACL",
        "TMLR",
        "JMLR",
        "COLM",
        "AAAI",
        "IJCAI",
        "KDD",
        "MLSys",
        "OSDI",
        "SOSP",
        "EuroSys",
        "ASPLOS",
        "ISCA",
        "MICRO",
        "HPCA",
        "DAC",
        "SC",
        "PPoPP",
        "ATC",
        "NSDI",
        "VLDB",
        "SIGMOD",
        "CVPR",
        "ICCV",
        "ECCV",
        "AISTATS",
        "UAI",
        "arXiv",
    ]
    wanted += ["Findings of ACL", "Findings of EMNLP", "Findings of NAACL"]
    wanted += ["NeurIPS Workshop", "ICML Workshop", "ICLR Workshop", "ACL Workshop"]
    assert [v for v in wanted if v not in table] == []


def test_a_name_for_two_venues_is_a_finding(tmp_path: Path) -> None:
    """One alias naming two venues is reported with the venue-table check and its line."""
    path = tmp_path / "venues.yaml"
    path.write_text(
        "venues:\n- short: A\n  name: Alpha\n  kind: conference\n"
        "- short: B\n  name: Beta\n  kind: journal\n  aliases: [a]\n",
        encoding="utf-8",
    )
    _table, issues = read_venues(path)
    assert [(i.check, i.line) for i in issues] == [("venue-table", 5)]
    assert "'a' names both 'A' and 'B'" in issues[0].message
