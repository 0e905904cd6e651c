"""The verification pipeline in scripts/verify: author merging, copied-summary detection, and the
committed ledger as a data gate (every line well-formed, every published claim backed by a record)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

VERIFY = Path(__file__).resolve().parents[1] / "scripts" / "verify"
sys.path.insert(0, str(VERIFY))

from apply import is_primary, merge_authors  # noqa: E402  # scripts are not a package
from check import check_record, copied_run  # noqa: E402
from common import iter_ledger, merged_ledger, norm_title  # noqa: E402


def test_merge_keeps_our_spelling_of_the_same_person() -> None:
    """An author the entry already spells with the same name tokens keeps the entry's spelling
    (diacritics, particles, a swapped family/given split in the record)."""
    current = ["Ré, Christopher", "Ramos Garea, Sabela", "Liu, Zhicheng", "Xu, Cheng-Zhong"]
    record = ["Re, Christopher", "Garea, Sabela Ramos", "Zhicheng, Liu", "Xu, Chengzhong"]
    assert merge_authors(current, record) == current


def test_merge_takes_the_records_membership_order_and_fixes() -> None:
    """The record decides who the authors are and in what order; corrupted names are replaced and
    ALL-CAPS names or quoted nicknames from profile data are cleaned."""
    current = ["Chee, Jerry", "De SaXQ, Christopher", "Cai, Yaohui"]
    record = [
        "Chee, Jerry",
        "Cai, Yaohui",
        "De Sa, Christopher M",
        'Wang, Zhangyang "Atlas"',
        "KING, DANIEL",
    ]
    assert merge_authors(current, record) == [
        "Chee, Jerry",
        "Cai, Yaohui",
        "De Sa, Christopher M",
        "Wang, Zhangyang",
        "King, Daniel",
    ]


def test_copied_run_finds_an_eight_word_overlap_only() -> None:
    """A summary sharing 8 consecutive words with the abstract is caught; 7 are not."""
    abstract = "We introduce a method which leverages embeddings from pre-trained models to find duplicates."
    assert copied_run(
        "It leverages embeddings from pre-trained models to find duplicates fast.", abstract
    )
    assert (
        copied_run("Uses embeddings from pre-trained models to spot near duplicates.", abstract)
        is None
    )


def test_check_record_rejects_unsupported_claims() -> None:
    """A published claim without a venue record, a non-primary evidence URL, a preprint that is not
    misc/arXiv and an over-long summary are each reported."""
    base = {"key": "k", "checked": "2026-12-01", "method": "lookup"}
    assert check_record({**base, "status": "published", "venue": "ICML", "type": "inproceedings",
                         "evidence": ["https://arxiv.org/abs/2401.00001"]}, {})  # fmt: skip
    assert check_record({**base, "evidence": ["https://www.sciencestack.ai/paper/1"]}, {})
    assert check_record({**base, "status": "preprint", "venue": "ICML", "type": "misc"}, {})
    assert check_record({**base, "summary": "x" * 301}, {})
    ok = {**base, "status": "published", "venue": "ICML", "type": "inproceedings",
          "evidence": ["https://proceedings.mlr.press/v235/a24a.html"], "summary": "Short."}  # fmt: skip
    assert check_record(ok, {}) == []


@pytest.mark.parametrize(
    ("url", "primary"),
    [
        ("https://aclanthology.org/2024.acl-long.1/", True),
        ("https://openreview.net/forum?id=abc", True),
        ("https://arxiv.org/abs/2106.09685", True),
        ("https://www.sciencestack.ai/paper/2411.17116", False),
        ("https://github.com/microsoft/LoRA", False),
        ("https://evilarxiv.org/abs/1", False),
    ],
)
def test_primary_hosts(url: str, primary: bool) -> None:
    """Only the hosts of primary records count as evidence, matched on the whole host name."""
    assert is_primary(url) is primary


def test_committed_ledger_is_well_formed() -> None:
    """Every committed ledger line passes the record checks: known fields, agreeing status, type and
    venue, evidence on primary hosts, published claims backed by a venue record or arXiv comments."""
    merged = merged_ledger()
    problems = [
        f"{path.name}:{line}: {rec.get('key')}: {p}"
        for path, line, rec in iter_ledger()
        for p in check_record(rec, {}, merged.get(rec["key"]))
    ]
    assert problems == []


def test_norm_title_ignores_case_accents_and_punctuation() -> None:
    """Titles match across the casing, accents and punctuation differences of the sources."""
    assert norm_title("LLM.int8(): 8-bit Matrix Multiplication") == norm_title(
        "llm int8 8 Bit matrix multiplication"
    )
    assert norm_title("Ré") == norm_title("re")


def _add_record(**extra: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "key": "bi2024deepseek", "checked": "2026-12-01", "method": "add", "status": "preprint",
        "type": "misc", "venue": "arXiv", "year": 2024, "arxiv": "2401.02954",
        "title": "DeepSeek LLM: Scaling Open-Source Language Models with Longtermism",
        "authors": ["Bi, Xiao"], "evidence": ["https://arxiv.org/abs/2401.02954"],
        "summary": "Fits compute-optimal scaling laws.", "tags": ["budget.scaling-laws"],
        "list_sources": ["list:horseee/Awesome-Efficient-LLM@215a154"],
    }  # fmt: skip
    rec.update(extra)
    return rec


def test_an_add_record_creates_the_entry_once() -> None:
    """A paper new to the catalog enters from its add record: bibliographic fields, first-pass tags,
    the arXiv URL, the date it was added and the list that brought it; a second apply adds nothing."""
    import datetime as dt

    from apply import new_entries

    rec = _add_record()
    merged = {"bi2024deepseek": {**rec, "checks": [{"method": "add", "checked": "2026-12-01",
                                                    "at": "add-x.jsonl:1"}]}}  # fmt: skip
    (entry,) = new_entries([], merged)
    assert entry["key"] == "bi2024deepseek"
    assert entry["url"] == "https://arxiv.org/abs/2401.02954"
    assert entry["tags"] == ["budget.scaling-laws"]
    assert entry["added"] == dt.date(2026, 12, 1)
    assert entry["sources"] == ["list:horseee/Awesome-Efficient-LLM@215a154"]
    assert new_entries([entry], merged) == []
    other = {**entry, "arxiv": "2402.00001"}
    with pytest.raises(SystemExit, match="taken by another paper"):
        new_entries([other], merged)


def test_an_add_record_must_carry_a_whole_entry() -> None:
    """An add record without a summary or tags, with a versioned arXiv id or a list reference without
    its commit is reported; a complete one passes."""
    assert check_record(_add_record(), {}) == []
    assert check_record(_add_record(summary=""), {})
    assert check_record(_add_record(tags=[]), {})
    assert check_record(_add_record(arxiv="2401.02954v2"), {})
    assert check_record(_add_record(list_sources=["list:horseee/Awesome-Efficient-LLM"]), {})


def test_dup_scan_pairs_a_retitled_publication_but_not_namesakes() -> None:
    """A publication retitled after its preprint (same short name, same first author) is listed for
    review; two papers that only share a generic word or a first author are not."""
    from dup_scan import suspicious

    preprint = {"title": "Palu: Compressing KV-Cache with Low-Rank Projection",
                "authors": ["Chang, Chi-Chih"], "names": ["Palu"]}  # fmt: skip
    published = {"title": "Palu: KV-Cache Compression with Low-Rank Projection",
                 "authors": ["Chang, Chi-Chih"], "names": ["Palu"]}  # fmt: skip
    other = {"title": "Speculative Decoding with Big Little Decoder",
             "authors": ["Chang, Chi-Chih"], "names": ["BiLD"]}  # fmt: skip
    assert suspicious(preprint, published)
    assert not suspicious(preprint, other)


def test_record_titles_become_plain_unicode() -> None:
    """Accepted-paper records write math in LaTeX and hyphens as Unicode; the catalog keeps plain
    text, so a record's title matches and reads like the paper's."""
    from match_offline import plain_title

    assert plain_title(r"Mixed Sparsity Training: Achieving 4$\times$ FLOP Reduction") == (
        "Mixed Sparsity Training: Achieving 4× FLOP Reduction"
    )
    assert plain_title("PARD: Accelerating LLM Inference with Low\u2011Cost Draft Models") == (
        "PARD: Accelerating LLM Inference with Low-Cost Draft Models"
    )
    assert plain_title(r"$\text{D}_{2}\text{O}$: Dynamic Discriminative Operations") == (
        "D₂O: Dynamic Discriminative Operations"
    )


def test_a_record_without_authors_matches_only_its_exact_title() -> None:
    """The ICLR 2026 list has no author names: its rows confirm an entry only on the exact
    normalised title within the year window, never on a fuzzy title."""
    from match_offline import confirm

    entry = {"authors": ["Zhang, Tianyuan"], "arxiv": "2505.23884", "year": 2025}
    row = {"source": "iclr2026-openreview", "authors": [], "year": 2026}
    assert confirm(entry, row, "exact")
    assert not confirm(entry, row, "fuzzy")
    assert not confirm({**entry, "arxiv": "2301.00001", "year": 2023}, row, "exact")
    named = {"source": "mlanthology", "authors": ["Someone Else"], "year": 2026}
    assert not confirm(entry, named, "exact")


def test_mining_keeps_efficiency_papers_and_drops_the_rest() -> None:
    """The keyword net behind mine_proceedings.py needs a language model and an efficiency claim."""
    from mine_proceedings import score

    assert score("KV Cache Compression for Long-Context LLM Inference", "We cut memory.") > 0
    assert score("Faster Diffusion Sampling for Images", "We accelerate image diffusion.") == 0
    assert score("A Study of Language Model Reasoning", "We probe how LLMs reason.") == 0


def test_the_wider_net_needs_only_one_efficiency_word_in_the_abstract() -> None:
    """--min-abstract-hits 1 offers a paper whose title names no efficiency claim but whose
    abstract names one; the default net wants three such words."""
    from mine_proceedings import score

    title = "Rethinking Attention in Language Models"
    abstract = "We study attention heads and show a variant that cuts latency."
    assert score(title, abstract) == 0
    assert score(title, abstract, min_abstract_hits=1) == 1
    assert score(title, "We study attention heads.", min_abstract_hits=1) == 0


def test_a_name_put_in_front_at_publication_still_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """SpecBranch was accepted at ICLR 2026 as "SpecBranch: <its arXiv title>"; the offline match
    finds it (an author-less row still needs the year window), but not a longer different prefix."""
    import match_offline

    row = {"source": "iclr2026-openreview", "venue": "iclr", "year": 2026, "type": "Poster",
           "id": "BrnlCSqO6n", "authors": [], "title": "SpecBranch: Speculative Decoding via "
           "Hybrid Drafting and Rollback-Aware Branch Parallelism"}  # fmt: skip
    other = {**row, "id": "x" * 10, "title": "A Much Longer Different Prefix: Speculative Decoding "
             "via Hybrid Drafting and Rollback-Aware Branch Parallelism"}  # fmt: skip
    monkeypatch.setattr(match_offline, "load_rows", lambda: [row])
    entry = {"key": "k", "title": "Speculative Decoding via Hybrid Drafting and Rollback-Aware "
             "Branch Parallelism", "authors": ["Shen, Yuhao"], "arxiv": "2506.01979", "year": 2025}  # fmt: skip
    records, _, _ = match_offline.match([entry])
    assert [(r["venue"], r["year"], r["title"][:11]) for r in records] == [
        ("ICLR", 2026, "SpecBranch:")
    ]
    assert records[0]["method"] == "offline-venues:iclr2026-openreview:subtitle"
    assert "authors" not in records[0]  # the entry keeps its own list
    monkeypatch.setattr(match_offline, "load_rows", lambda: [other])
    assert match_offline.match([entry])[0] == []
    old = {**entry, "arxiv": "2301.00001", "year": 2023}
    monkeypatch.setattr(match_offline, "load_rows", lambda: [row])
    assert match_offline.match([old])[0] == []


def test_profile_names_are_written_as_their_owners_write_them() -> None:
    """fix_names.repair: capitals and lower case become title case, run-together names split,
    initials and mixed case stay, a bare family name is left for a look-up."""
    from fix_names import repair

    assert repair("WANG, NINGTAO") == "Wang, Ningtao"
    assert repair("zhang, Min") == "Zhang, Min"
    assert repair("KIM, JAE-JOON") == "Kim, Jae-Joon"
    assert repair("YefeiChen") == "Chen, Yefei"
    assert repair("Yih, Wen-tau") == "Yih, Wen-tau"
    assert repair("Schaefer, Clemens JS") == "Schaefer, Clemens JS"
    assert repair("van der Maaten, Laurens") == "van der Maaten, Laurens"
    assert repair("Li") is None
    assert repair("GAO, KE") == "Gao, Ke"
    assert repair("yin, di") == "Yin, Di"


def test_scripts_report_bad_input_as_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """common.run is the scripts' error boundary: a malformed JSON line is named as path:line
    (exit 1), a missing file by its path (exit 2), and neither prints a traceback."""
    from common import read_jsonl, run

    bad = tmp_path / "ledger.jsonl"
    bad.write_text('{"key": "a"}\n\n{broken\n', encoding="utf-8")
    assert run(lambda: len(list(read_jsonl(bad)))) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3: not JSON" in err and "Traceback" not in err
    assert run(lambda: len(list(read_jsonl(tmp_path / "missing.jsonl")))) == 2
    assert "missing.jsonl: No such file" in capsys.readouterr().err


def test_a_given_name_in_the_family_slot_is_reported_not_rewritten() -> None:
    """Profiles typed family-first give ``Minshen, Yu``; fix_names reports such a name for the lead
    to confirm, and leaves alike-looking right names (``Qiao, Yu``, ``Guan, Kang``) alone."""
    from fix_names import likely_swapped, repair

    assert likely_swapped("Minshen, Yu")
    assert likely_swapped("Luohe, Shi")
    assert not likely_swapped("Yu, Minshen")
    assert not likely_swapped("Qiao, Yu")
    assert not likely_swapped("Guan, Kang")
    assert not likely_swapped("Smith, Wang")
    assert repair("Minshen, Yu") == "Minshen, Yu"


def test_venue_check_reports_a_title_its_venue_record_does_not_hold() -> None:
    """An entry at a venue the offline lists cover must carry that venue-year's title: a retitled
    record by the same first author is offered, a missing one reported, a matching one passes."""
    from venue_check import check

    rows = [
        {"source": "mlanthology", "venue": "icml", "year": 2024, "id": "cai2024icml-medusa",
         "title": "Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads",
         "authors": ["Cai, Tianle", "Li, Yuhong"], "type": "Poster"},
        {"source": "mlanthology", "venue": "icml", "year": 2024, "id": "x2024icml-other",
         "title": "A Paper on Something Else Entirely", "authors": ["Other, Ann"], "type": "Poster"},
    ]  # fmt: skip
    medusa = {"key": "cai2024medusa", "venue": "ICML", "year": 2024, "authors": ["Cai, Tianle"],
              "title": "Medusa: Simple Framework for Accelerating LLM Generation with Multiple Decoding Heads"}  # fmt: skip
    same = {"key": "x", "venue": "ICML", "year": 2024, "authors": ["Other, Ann"],
            "title": "A paper on something else entirely"}  # fmt: skip
    missing = {"key": "y", "venue": "ICML", "year": 2024, "authors": ["Nobody, Ned"],
               "title": "Unrelated Work on Sparse Kernels"}  # fmt: skip
    uncovered = {**missing, "key": "z", "venue": "ICML", "year": 2019}
    found = {f["key"]: f for f in check([medusa, same, missing, uncovered], rows)}
    assert set(found) == {"cai2024medusa", "y"}
    assert found["cai2024medusa"]["record_title"].startswith("Medusa: Simple LLM Inference")
    assert found["cai2024medusa"]["url"] == "https://mlanthology.org/icml/2024/cai2024icml-medusa"
    assert "record_title" not in found["y"]
    # The title is the record's, but the record lists another number of authors.
    short = {**same, "key": "w", "authors": ["Other, Ann", "Extra, Ed"]}
    (finding,) = check([short], rows)
    assert finding["record_authors"] == ["Other, Ann"]


def test_a_checked_metric_list_is_written_in_the_facets_order() -> None:
    """Once a tag-check line exists its metrics replace the entry's, in taxonomy.yaml's order
    (parameters, model-size, flops, latency, memory, energy) whatever order the helper wrote."""
    from apply import METRIC_ORDER, apply

    assert METRIC_ORDER[:3] == ["parameters", "model-size", "flops"]
    entry = {"key": "k", "title": "T", "authors": ["A, B"], "year": 2024, "type": "misc",
             "venue": "arXiv", "tags": ["inference"], "metrics": ["latency"]}  # fmt: skip
    rec = {"tags": ["inference.serving"], "metrics": ["memory", "flops", "parameters"],
           "evidence": [], "checks": [{"method": "tag-check", "checked": "2026-12-01", "at": "t:1"}]}  # fmt: skip
    apply([entry], {"k": rec})
    assert entry["metrics"] == ["parameters", "flops", "memory"]
    assert entry["tags"] == ["inference.serving"]


def test_metric_lint_flags_what_the_abstract_does_not_bear_out() -> None:
    """A metric the abstract never mentions, and a reported speed-up without `latency`, are
    flagged for a reader; a list the abstract supports is not."""
    from metric_lint import flags

    entry = {"title": "A Sparse Kernel", "metrics": ["energy"]}
    reasons = flags(entry, "We obtain a 2.1x speedup over dense kernels.")
    assert any(r.startswith("energy: tagged") for r in reasons)
    assert any(r.startswith("latency: the abstract reports it") for r in reasons)
    assert flags({"title": "T", "metrics": ["latency"]}, "Decoding runs 2x faster.") == []


def test_a_later_preprint_line_cannot_silently_undo_a_publication() -> None:
    """Ledger files merge in name order: a sweep sorting after the offline match turned TurboBoA
    back into a preprint. check.py reports that until a lead-review line settles it."""
    from pathlib import Path

    from check import overridden_publications

    found = {"key": "k", "method": "offline-venues:x", "status": "published"}
    sweep = {"key": "k", "method": "lookup", "status": "preprint"}
    settle = {"key": "k", "method": "lead-review", "status": "published"}
    keep = {"key": "k", "method": "lead-review", "status": "preprint"}
    a, b, c = Path("offline-venues.jsonl"), Path("zz-y-pre.jsonl"), Path("zz-z-lead.jsonl")
    (problem,) = overridden_publications([(a, 1, found), (b, 4, sweep)])
    assert problem.startswith("zz-y-pre.jsonl:4: k: preprint again after offline-venues.jsonl:1")
    assert overridden_publications([(a, 1, found), (b, 4, sweep), (c, 2, settle)]) == []
    assert overridden_publications([(a, 1, found), (b, 4, sweep), (c, 2, keep)]) == []
    assert overridden_publications([(b, 4, sweep), (a, 1, found)]) == []
    # A lead's own finding of the publication is undone by a later sweep just the same.
    assert overridden_publications([(c, 2, settle), (b, 4, sweep)])


def test_a_record_that_swapped_the_first_authors_names_still_confirms() -> None:
    """Profile data gives "Luohe, Shi" for Shi Luohe: once the entry is fixed, the record must still
    confirm it (the offline match and its evidence URL were lost otherwise); a different person
    with one shared name part does not."""
    from match_offline import confirm

    entry = {"authors": ["Shi, Luohe", "Zhang, Hongyi"], "year": 2024, "arxiv": "2407.18003"}
    row = {"source": "paperlists", "authors": ["Luohe, Shi", "Hongyi Zhang"], "year": 2024}
    assert confirm(entry, row)
    other = {"source": "paperlists", "authors": ["Luohe, Wang", "Someone Else"], "year": 2024}
    assert not confirm(entry, other)


def test_abstract_caches_fail_loudly(tmp_path: Path) -> None:
    """A missing cache folder is an error, not an empty cache (the metric lint would flag every
    list); a malformed JSON file or line is named path:line."""
    from common import InputError, load_abstracts, read_json

    with pytest.raises(FileNotFoundError):
        load_abstracts(tmp_path / "nope")
    (tmp_path / "abstracts-x.jsonl").write_text('{"key": "a", "abstract": "A"}\n{"key": \n')
    with pytest.raises(InputError, match=r"abstracts-x\.jsonl:2: not JSON"):
        load_abstracts(tmp_path)
    bad = tmp_path / "all.json"
    bad.write_text('{\n "a": 1,\n}\n')
    with pytest.raises(InputError, match=r"all\.json:3: not JSON"):
        read_json(bad)


def test_names_lint_flags_names_the_paper_does_not_use_and_names_left_out() -> None:
    """A name absent from title and abstract, a paper list's name, and an empty list beside a
    coined name are flagged; a name the abstract spells another way (case, hyphen) is not."""
    from names_lint import flags

    abstract = "We propose Quest, a query-aware sparsity method; Flash-Decoding is faster."
    entry = {"title": "Quest: Query-Aware Sparsity", "names": ["QUEST", "flashdecoding"]}
    assert flags(entry, abstract) == []
    (absent,) = flags({"title": "T", "names": ["FastCAOTE"]}, "We propose CAOTE.")
    assert absent.startswith("absent: 'FastCAOTE'")
    listed = flags({"title": "Awesome-Low-Precision-Training", "names": ["Awesome-Low-Precision-Training"]}, "")  # fmt: skip
    assert listed == ["not-a-name: 'Awesome-Low-Precision-Training'"]
    (missing,) = flags({"title": "Quest: Query-Aware Sparsity", "names": []}, abstract)
    assert missing == "missing: none given, candidates 'Quest'"
    (called,) = flags({"title": "Efficient decoding", "names": []}, "A method called SnapKV cuts memory.")  # fmt: skip
    assert "'SnapKV'" in called
    assert flags({"title": "LLM: a study", "names": []}, "We propose a new LLM recipe.") == []


def test_summary_lint_flags_figures_the_abstract_does_not_state() -> None:
    """A speed-up or model size the abstract never writes is flagged; the same figure written
    another way (2.80x, 1,000, a number in the title) is not, and neither is an entry without an
    abstract."""
    from summary_lint import flags

    abstract = "Ouroboros reaches speedups of up to 2.80x on 1,000 prompts with a 13B model."
    entry = {"title": "Ouroboros", "summary": "Drafts phrases; up to 2.8× faster on 1000 prompts with 13B models."}  # fmt: skip
    assert flags(entry, abstract) == []
    wrong = {"title": "Ouroboros", "summary": "Up to 2.4x faster with 7B models and 4-bit weights."}  # fmt: skip
    assert flags(wrong, abstract) == [
        "figure '2.4x' is not in the abstract",
        "figure '7B' is not in the abstract",
        "figure '4-bit' is not in the abstract",
    ]
    assert flags(wrong, "") == []


def test_nicknames_and_suffixes_are_written_as_papers_print_them() -> None:
    """Profile data carries nicknames in brackets or quotes and suffixes after the given name;
    BibTeX would read ``Heath, Robert W., Jr.`` with the given name as the suffix."""
    from fix_names import repair

    assert repair("(Celine)Lin, Yingyan") == "Lin, Yingyan"
    assert repair('Li, Hai "Helen"') == "Li, Hai"
    assert repair("DONG(董方), Fang") == "Dong, Fang"
    assert repair("Wu, Xiaoxia (Shirley)") == "Wu, Xiaoxia"
    assert repair("Heath, Robert W., Jr.") == "Heath Jr., Robert W."
    assert repair("Ré, Christopher") == "Ré, Christopher"


def test_retitled_preprints_are_offered_not_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    """SMT was "Sparse Matrix in Large Language Model Fine-tuning" on arXiv and is at ICLR 2025
    under a new title: same first author, year window, half the content words shared. A record by
    another first author, or with little in common, is not offered; a published entry is skipped."""
    import match_offline

    smt = {"venue": "iclr", "year": 2025, "title": "SMT: Fine-Tuning Large Language Models with "
           "Sparse Matrices", "authors": ["He, Haoze", "Li, Juncheng B"], "source": "mlanthology"}  # fmt: skip
    other = {**smt, "authors": ["Someone, Else"]}
    # Same first author, little in common otherwise: neither the title nor the authors offer it.
    unrelated = {**smt, "title": "Fast Tokenizers for Speech Recognition",
                 "authors": ["He, Haoze", "Someone, Else"]}  # fmt: skip
    monkeypatch.setattr(match_offline, "load_rows", lambda: [smt, other, unrelated])
    entry = {"key": "he2024sparse", "title": "Sparse Matrix in Large Language Model Fine-tuning",
             "authors": ["He, Haoze", "Li, Juncheng B", "Jiang, Xuan", "Miller, Heather"],
             "arxiv": "2405.15525", "year": 2024,
             "venue": "arXiv"}  # fmt: skip
    (cand,) = match_offline.retitled([entry])
    assert cand.entry["key"] == "he2024sparse" and cand.row is smt and cand.overlap >= 0.45
    assert match_offline.retitled([{**entry, "venue": "ICLR"}]) == []


def test_retitled_preprints_are_found_by_their_authors_and_ranked_by_abstract(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compress-then-Prompt is "Soft Prompt Recovers Compressed LLMs, Transferably" at ICML 2024:
    no title words in common, but the record holds the preprint's authors (full names, in either
    spelling order). A record sharing only the first author's family name is not offered, and the
    abstracts' cosine ranks the renamed paper above another paper by the same group."""
    import match_offline

    people = ["Xu, Zhaozhuo", "Liu, Zirui", "Chen, Beidi"]
    soft = {"venue": "icml", "year": 2024, "title": "Soft Prompt Recovers Compressed LLMs, "
            "Transferably", "authors": ["Zhaozhuo Xu", "Zirui Liu", "Beidi Chen", "Shaochen Zhong"],
            "source": "mlanthology", "id": "xu2024icml-soft"}  # fmt: skip
    sibling = {**soft, "title": "Sketching for Retrieval", "id": "xu2024icml-sketch"}
    namesake = {**soft, "authors": ["Xu, Wei", "Liu, Zirui", "Chen, Beidi"], "id": "xu2024icml-x"}
    monkeypatch.setattr(match_offline, "load_rows", lambda: [sibling, soft, namesake])
    entry = {"key": "xu2023compress", "title": "Compress, Then Prompt: Improving Accuracy-Efficiency "
             "Trade-off of LLM Inference with Transferable Prompt", "authors": people,
             "arxiv": "2305.11186", "year": 2023, "venue": "arXiv"}  # fmt: skip
    found = match_offline.retitled([entry])
    assert [c.row["id"] for c in found] == ["xu2024icml-sketch", "xu2024icml-soft"]
    assert all(c.authors == 1.0 and c.similarity is None for c in found)
    abstracts = {"xu2023compress": "soft prompts recover compressed quantized pruned models"}
    records = {
        "icml/2024/xu2024icml-soft": "learned soft prompts recover the accuracy of compressed "
        "models after quantization and pruning",
        "icml/2024/xu2024icml-sketch": "count sketches speed up nearest neighbour retrieval",
    }
    ranked = match_offline.rank_by_abstract(found, abstracts, records)
    assert [c.row["id"] for c in ranked] == ["xu2024icml-soft", "xu2024icml-sketch"]
    first, second = (c.similarity or 0.0 for c in ranked)
    assert first > 0.3 > second


def test_settled_values_are_what_readers_kept_or_wrote(tmp_path: Path) -> None:
    """A value a reader kept (``reviewed``), a lead's decision and an agreeing check are settled,
    so ``--unreviewed`` lints skip them; a check that disagreed settles nothing, and a later change
    to the field is a new value that is flagged again."""
    from common import reviewed_values

    lines = [
        {"key": "a", "method": "review", "reviewed": {"names": ["Quest"]}},
        {"key": "b", "method": "lead-review", "summary": "Prunes heads."},
        {"key": "c", "method": "metrics-check", "metrics": ["memory"], "agree": True},
        {"key": "d", "method": "metrics-check", "metrics": ["latency"], "agree": False},
        {"key": "e", "method": "lookup", "names": ["X"]},
    ]
    (tmp_path / "l.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert reviewed_values(tmp_path) == {
        ("a", "names", '["Quest"]'),
        ("b", "summary", '"Prunes heads."'),
        ("c", "metrics", '["memory"]'),
    }
    line = {"key": "a", "checked": "2026-12-01", "method": "review", "reviewed": {"tags": []}}
    assert any("reviewed must map" in p for p in check_record(line, {}))
    line["reviewed"] = {"names": ["Quest"]}
    assert check_record(line, {}) == []


def test_a_particle_another_entry_keeps_is_reported_lost() -> None:
    """ML Anthology wrote Guy Van den Broeck as ``Van Broeck, Guy``; another entry spelling the
    same person with ``den`` exposes it. A case-only variant or a different given name is not a
    lost particle."""
    from fix_names import lost_particles

    entries = [
        {"authors": ["Van den Broeck, Guy", "von Werra, Leandro", "Broeck, Anna"]},
        {"authors": ["Van Broeck, Guy", "Von Werra, Leandro"]},
    ]
    assert lost_particles(entries) == {"van broeck, guy": "Van den Broeck"}


def test_a_workshop_paper_is_offered_its_main_venue_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LightSeq was a NeurIPS 2023 workshop paper and is DISTFLASHATTN at COLM 2024: the main
    venue wins, so a workshop entry is searched too, but only for a main-venue record (another
    workshop version is no better) and never when the entry is at a main venue already."""
    import match_offline

    people = ["Li, Dacheng", "Shao, Rulin", "Xie, Anze", "Zhang, Hao"]
    colm = {"venue": "colm", "year": 2024, "title": "DISTFLASHATTN: Distributed Memory-efficient "
            "Attention for Long-context LLMs Training", "authors": ["Dacheng Li", "Rulin Shao",
            "Anze Xie", "Hao Zhang"], "source": "paperlists", "type": "Poster", "id": "pUEDkZyPDl"}  # fmt: skip
    workshop = {**colm, "venue": "iclrw", "source": "mlanthology", "id": "li2024iclrw-x"}
    monkeypatch.setattr(match_offline, "load_rows", lambda: [colm, workshop])
    entry = {"key": "li2023lightseq", "title": "LightSeq: Sequence Level Parallelism for Distributed "
             "Training of Long Context Transformers", "authors": people, "arxiv": "2310.03294",
             "year": 2023, "venue": "NeurIPS Workshop"}  # fmt: skip
    assert [c.row["id"] for c in match_offline.retitled([entry])] == ["pUEDkZyPDl"]
    assert len(match_offline.retitled([{**entry, "venue": "arXiv"}])) == 2
    assert match_offline.retitled([{**entry, "venue": "ICML"}]) == []


def test_a_records_page_gives_the_key_of_its_cached_abstract() -> None:
    """The abstract caches key ML Anthology records by ``venue/year/id`` and OpenReview records by
    forum id; any other page has no cached abstract."""
    from common import abstract_key

    assert (
        abstract_key("https://mlanthology.org/iclr/2025/he2025iclr-smt/")
        == "iclr/2025/he2025iclr-smt"
    )
    assert abstract_key("https://openreview.net/forum?id=pUEDkZyPDl") == "pUEDkZyPDl"
    assert abstract_key("https://arxiv.org/abs/2305.11186") is None
    assert abstract_key(None) is None


def test_an_audit_sample_larger_than_the_pool_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """audit_sample --size beyond the entries not yet audited exits 2 with the pool's size, and
    writes neither the keys file nor the auditor input."""
    import audit_sample

    monkeypatch.setattr(audit_sample, "load_references", lambda: [{"key": "a"}, {"key": "b"}])
    monkeypatch.setattr(audit_sample, "AUDIT_DIR", tmp_path)
    out = tmp_path / "sample.jsonl"
    argv = ["audit_sample.py", "x", "--size", "3", "--seed", "1", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exc:
        audit_sample.main()
    assert exc.value.code == 2
    assert "between 1 and 2" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "x.keys").exists()


def test_record_sync_takes_the_proceedings_spelling_but_not_its_profile_slips() -> None:
    """A matched entry takes the record's title, order and names (middle initials, family names
    of two words), but keeps its own spelling where the record swapped a name's family and given
    parts or dropped its accents; a record listing other people is reported, not written."""
    from record_sync import record_spelling, sync

    ours = ["Rouhani, Bita Darvish", "Zhou, Xiao", "Ré, Christopher", "Xing, Eric"]
    ours += ["van den Hengel, Anton", "Keulen, Maurice"]
    theirs = ["Darvish Rouhani, Bita", "Xiao, Zhou", "Re, Christopher", "Xing, Eric P."]
    theirs += ["Hengel, Anton Van Den", "Keulen, Maurice Van"]
    assert record_spelling(ours, theirs) == [
        "Darvish Rouhani, Bita",
        "Zhou, Xiao",
        "Ré, Christopher",
        "Xing, Eric P.",
        "van den Hengel, Anton",
        "Van Keulen, Maurice",
    ]
    row = {"source": "pmlr-v306", "venue": "icml", "year": 2026, "type": "Poster",
           "id": "AbCdEfGhIj", "pmlr": "sahoo26b", "title": "Esoteric Language Models: A Family",
           "authors": ["Sahoo, Subham Sekhar", "Xing, Eric P."]}  # fmt: skip
    entry = {"key": "sahoo2026esoteric", "venue": "ICML", "year": 2026,
             "title": "Esoteric Language Models", "url": "https://openreview.net/forum?id=AbCdEfGhIj",
             "authors": ["Sahoo, Subham Sekhar", "Xing, Eric"]}  # fmt: skip
    other = {**entry, "key": "other", "authors": ["Smith, Ann", "Jones, Bo"]}
    lines, reports = sync([entry, other], [row], "pmlr-v306", "2026-12-01")
    assert [line["key"] for line in lines] == ["sahoo2026esoteric"]
    skipped, _ = sync(
        [entry], [row], "pmlr-v306", "2026-12-01", frozenset({"sahoo2026esoteric:title"})
    )
    assert "title" not in skipped[0] and skipped[0]["authors"] == [
        "Sahoo, Subham Sekhar",
        "Xing, Eric P.",
    ]
    assert lines[0]["title"] == "Esoteric Language Models: A Family"
    assert lines[0]["authors"] == ["Sahoo, Subham Sekhar", "Xing, Eric P."]
    assert lines[0]["authors_exact"] is True
    assert lines[0]["evidence"] == ["https://proceedings.mlr.press/v306/sahoo26b.html"]
    assert len(reports) == 1 and reports[0].startswith("other:")


def test_judgement_proposals_hold_changes_scope_calls_and_close_calls_only() -> None:
    """A reader's fix that leaves the value as it is (an absent list is []) is no proposal; a
    changing fix, an out-of-scope verdict and a close call on metrics become arbiter lines, a close
    call on tags does not; the property lint flags "training-free" only when the abstract lacks it."""
    from judgement import proposals

    entries = {
        "a": {"key": "a", "title": "A", "summary": "Training-free pruning.", "metrics": None},
        "b": {"key": "b", "title": "B", "summary": "Training-free pruning.", "tags": ["x"]},
    }
    readings = [
        {"key": "a", "ok": {"metrics": False}, "fix": {"metrics": []}, "note": "no-op"},
        {"key": "b", "ok": {"metrics": False}, "fix": {"metrics": ["flops"]}, "note": "claims compute",
         "in_scope": False, "borderline": {"tags": "leaf?", "names": "body-only name"}},
    ]  # fmt: skip
    abstracts = {"a": "We prune without any training.", "b": "A training-free pruning method."}
    got = {(p["key"], p["field"]): p for p in proposals(entries, readings, abstracts, True)}
    assert set(got) == {("b", "metrics"), ("b", "in_scope"), ("b", "names"), ("a", "summary")}
    assert got[("b", "metrics")]["proposed"] == ["flops"]
    assert got[("b", "metrics")]["current"] == []
    assert got[("b", "names")]["proposed"] is None
    assert "'training-free'" in got[("a", "summary")]["reader_note"]


def test_judgement_decisions_become_lead_review_and_review_lines() -> None:
    """Applied and other values are lead-review lines (None for a list is []); a kept metrics,
    summary or names value is a review line holding the value read; a kept tag set writes nothing;
    an out-of-scope decision is reported, not written; --skip and repeated decisions are left out."""
    from common import REVIEWED_FIELDS
    from judgement import ledger_lines

    entries = {k: {"key": k, "metrics": ["latency"], "tags": ["t"]} for k in "abcde"}
    decisions = [
        {"key": "a", "field": "metrics", "decision": "apply", "value": None, "note": "n"},
        {"key": "a", "field": "metrics", "decision": "keep", "note": "a second, ignored"},
        {"key": "b", "field": "metrics", "decision": "keep", "note": "n"},
        {"key": "c", "field": "tags", "decision": "keep", "note": "n"},
        {"key": "d", "field": "in_scope", "decision": "apply", "value": False, "note": "n"},
        {"key": "e", "field": "summary", "decision": "other", "value": "New.", "note": "n"},
        {"key": "e", "field": "names", "decision": "apply", "value": ["X"], "note": "n"},
    ]
    lines, scope = ledger_lines(entries, decisions, "label", "2026-12-01", frozenset({"e:names"}))
    assert [(x["key"], x["method"]) for x in lines] == [
        ("a", "lead-review"),
        ("b", "review"),
        ("e", "lead-review"),
    ]
    assert lines[0]["metrics"] == [] and lines[1]["reviewed"] == {"metrics": ["latency"]}
    assert set(lines[1]["reviewed"]) <= set(REVIEWED_FIELDS)
    assert lines[2]["summary"] == "New." and lines[2]["note"].startswith("label: ")
    assert len(scope) == 1 and scope[0].startswith("d:")
