"""Shared helpers of the verification pipeline: title normalisation, the catalog and the ledger.

The ledger (``scripts/verify/ledger/*.jsonl``) is the evidence as data: one JSON object a line, one
line per entry per check, later lines winning field by field. A record names the entry (``key``), when
it was checked, how (``method``), the fields it established and the primary records they came from
(``evidence``: URLs). ``apply.py`` writes the ledger into ``data/references.yaml``; ``check.py``
re-checks it.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = ROOT / "data" / "references.yaml"
LEDGER_DIR = Path(__file__).resolve().parent / "ledger"
SHARED = ROOT.parent / "shared" / "data"
VENUES_FILE = SHARED / "venues" / "accepted-papers.jsonl.gz"

#: The fields a ledger record may establish, in the order ``apply.py`` writes them.
FIELDS = ("type", "title", "authors", "year", "venue", "arxiv", "doi", "names", "summary")
#: Record statuses: published (venue record found), preprint (latest arXiv version, no venue
#: record), unresolved (a venue claimed by the lists that look-ups could neither confirm nor refute:
#: kept, and queued for the next look-up round), remove (not an LLM-efficiency paper).
STATUSES = ("published", "preprint", "unresolved", "remove")
#: Hosts whose pages count as primary records (see docs/data-sources.md).
PRIMARY_HOSTS = (
    "arxiv.org",
    "aclanthology.org",
    "aclweb.org",
    "proceedings.mlr.press",
    "openreview.net",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "neurips.cc",
    "nips.cc",
    "mlanthology.org",
    "dblp.org",
    "doi.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "www.usenix.org",
    "usenix.org",
    "proceedings.mlsys.org",
    "mlsys.org",
    "hpca-conf.org",
    "conference-program.com",
    "ojs.aaai.org",
    "www.ijcai.org",
    "ijcai.org",
    "jmlr.org",
    "www.jmlr.org",
    "link.springer.com",
    "www.vldb.org",
    "vldb.org",
    "openaccess.thecvf.com",
    "www.nature.com",
    "www.sciencedirect.com",
    "www.isca-archive.org",
    "iclr.cc",
    "icml.cc",
    "aaai.org",
    # Official programmes and accepted-paper lists of conferences and workshops (fifth session).
    "splashcon.org",
    "neurips2023-enlsp.github.io",
    "neurips2024-enlsp.github.io",
    "babylm.github.io",
    "sigops.org",
    "spiedigitallibrary.org",
)


#: Name particles (``van der``, ``de``, ``dos`` ...): lower case in a family name, never a given name.
PARTICLES = frozenset(
    {"van", "de", "von", "der", "den", "da", "di", "del", "della", "le", "la", "du", "dos", "das",
     "do", "ten", "ter", "las", "y"}
)  # fmt: skip


def strip_accents(text: str) -> str:
    """The text with its combining marks dropped (``Ré`` -> ``Re``), case and punctuation kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def norm_title(text: str) -> str:
    """Lower-case ASCII letters and digits only: the key titles are matched on."""
    return re.sub(r"[^a-z0-9]+", "", strip_accents(text).lower())


def norm_name(text: str) -> str:
    """A family name reduced for comparison (accents, case, hyphens and spaces dropped)."""
    return norm_title(text)


def family_names(authors: list[str]) -> list[str]:
    """Family names of an author list written either 'Family, Given' or 'Given Family'."""
    out = []
    for a in authors:
        a = " ".join(a.split())
        if "," in a:
            out.append(norm_name(a.partition(",")[0]))
        else:
            out.append(norm_name(a.rsplit(" ", 1)[-1]))
    return out


def load_references(path: Path = REFERENCES) -> list[dict[str, Any]]:
    """The catalog entries as plain dicts (safe C loader)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # a safe loader, chosen at run time
    return list(data or [])


#: The catalog as the paper lists built it, before verification (the "before" of every report).
LIST_BUILT = "9be2fc8"


def catalog_at(rev: str = LIST_BUILT) -> dict[str, dict[str, Any]]:
    """The catalog's entries at a git revision, by key (safe C loader)."""
    rel = REFERENCES.relative_to(ROOT).as_posix()
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{rel}"], check=True, capture_output=True, text=True
    ).stdout
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {e["key"]: e for e in yaml.load(text, Loader=loader) or []}  # a safe loader


class InputError(Exception):
    """A file the scripts read is malformed; the message names it as ``path:line``."""


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """The JSON values of a JSON Lines file with their line numbers (blank lines skipped)."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    msg = f"{path}:{lineno}: not JSON ({exc.msg}); fix or remove the line"
                    raise InputError(msg) from None


def read_json(path: Path) -> Any:
    """A JSON file's value; a syntax error is reported as ``path:line``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        msg = f"{path}:{exc.lineno}: not JSON ({exc.msg}, column {exc.colno})"
        raise InputError(msg) from None


def iter_ledger(directory: Path = LEDGER_DIR) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    """Every ledger record with its file and line, files in name order."""
    for path in sorted(directory.glob("*.jsonl")):
        for lineno, rec in read_jsonl(path):
            yield path, lineno, rec


def merged_ledger(directory: Path = LEDGER_DIR) -> dict[str, dict[str, Any]]:
    """Per key, the ledger's records merged field by field (later files and lines win).

    ``evidence`` accumulates; ``checks`` lists every record's method and date.
    """
    out: dict[str, dict[str, Any]] = {}
    for path, lineno, rec in iter_ledger(directory):
        cur = out.setdefault(rec["key"], {"evidence": [], "checks": []})
        for name, value in rec.items():
            if name == "evidence":
                for url in value:
                    if url not in cur["evidence"]:
                        cur["evidence"].append(url)
            elif name not in ("key", "checked", "method", "note"):
                cur[name] = value
        cur["checks"].append(
            {
                "method": rec.get("method"),
                "checked": rec.get("checked"),
                "at": f"{path.name}:{lineno}",
            }
        )
    return out


#: The catalog fields a reader settles by hand, and the check methods whose lines settle each one.
REVIEWED_FIELDS = {
    "names": ("names-check",),
    "summary": ("summary-check",),
    "metrics": ("metrics-check", "tag-check", "tag-settle"),
}


def reviewed_values(directory: Path = LEDGER_DIR) -> set[tuple[str, str, str]]:
    """(key, field, value as JSON) for every value a reader settled: a line's ``reviewed`` map (a
    value read and kept), a ``lead-review`` line that set the field, and a check line that agreed.

    The lints leave such values out (``--unreviewed``); a later change to the field is a new value,
    so its flag comes back.
    """
    out: set[tuple[str, str, str]] = set()
    for _, _, rec in iter_ledger(directory):
        key = rec["key"]
        settled = dict(rec.get("reviewed") or {})
        for name, methods in REVIEWED_FIELDS.items():
            if name in rec and (
                rec.get("method") == "lead-review"
                or (rec.get("method") in methods and rec.get("agree") is not False)
            ):
                settled[name] = rec[name]
        for name, value in settled.items():
            out.add((key, name, json.dumps(value, sort_keys=True)))
    return out


def abstract_key(url: str | None) -> str | None:
    """The key the accepted-paper abstract caches use for a record's page: ``venue/year/id`` for
    an ML Anthology page, the forum id for an OpenReview one, None for any other page."""
    if not url:
        return None
    if "mlanthology.org/" in url:
        return url.split("mlanthology.org/")[-1].strip("/")
    if "openreview.net/forum?id=" in url:
        return url.split("id=")[-1]
    return None


def load_abstracts(directory: Path | None) -> dict[str, str]:
    """Cached abstracts by catalog key: ``all_abstracts.json`` (the first rounds' key -> abstract
    map), then every ``abstracts-*.jsonl`` (one record a line; a later file wins). A folder that
    does not exist is an error, not an empty cache."""
    out: dict[str, str] = {}
    if directory is None:
        return out
    if not directory.is_dir():
        raise FileNotFoundError(2, "no such folder of cached abstracts", str(directory))
    first = directory / "all_abstracts.json"
    if first.is_file():
        out.update({k: v or "" for k, v in read_json(first).items()})
    for path in sorted(directory.glob("abstracts-*.jsonl")):
        for _, rec in read_jsonl(path):
            out[rec["key"]] = rec.get("abstract") or ""
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records one JSON object a line, UTF-8, keys in insertion order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)


def write_batches(
    directory: Path, items: list[dict[str, Any]], size: int, prefix: str, first: int = 1
) -> list[Path]:
    """Split helper input into ``<prefix>NN.jsonl`` files of ``size`` lines, numbered from ``first``."""
    paths = []
    for n in range(0, len(items), size):
        path = directory / f"{prefix}{n // size + first:02d}.jsonl"
        write_jsonl(path, items[n : n + size])
        paths.append(path)
    return paths


def run(main: Callable[[], int]) -> int:
    """The scripts' one error boundary: a missing or unreadable file or a failed git call (exit 2),
    a malformed input line (exit 1, named as ``path:line``) is reported in one line, never as a
    traceback."""
    import sys

    try:
        return main()
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except json.JSONDecodeError as exc:
        print(
            f"error: bad JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=sys.stderr
        )
    except subprocess.CalledProcessError as exc:
        err = exc.stderr
        detail = (
            err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err or "")
        ).strip()
        print(f"error: {' '.join(map(str, exc.cmd))}: {detail or exc}", file=sys.stderr)
    print("hint: check the paths given on the command line (see --help)", file=sys.stderr)
    return 2
