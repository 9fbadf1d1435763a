"""Start-up time of `po --help` beside the bare interpreter's, and the modules each imports.

    python benchmarks/po_startup.py [--runs 21]

`po --help` runs as `python -m podops.client.cli --help` with this tree first on the path
(the `po` console script is the same import and one call), `--runs` times, alternated with
`python -c pass`, the floor any Python command pays. Wall time per run, median and best.
The module count is what `python -X importtime` reports: everything imported, the
interpreter's own start included. Issue 11's target: `po --help` under 0.3 s, which it can
only meet while the client imports nothing of the server (tests/test_po_imports.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.3
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "po --help": ["-m", "podops.client.cli", "--help"],
}


def environment() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path)


def wall_time(arguments: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments], env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def modules_imported(arguments: list[str], env: dict[str, str]) -> int:
    report = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments],
        env=env,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ).stderr
    lines = [line for line in report.splitlines() if line.startswith("import time:")]
    return len(lines) - 1  # the first line is the header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    env = environment()
    for arguments in COMMANDS.values():
        wall_time(arguments, env)  # warm the file cache and the bytecode
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(args.runs):
        for label, arguments in COMMANDS.items():
            times[label].append(wall_time(arguments, env))
    print(f"{sys.executable}, {args.runs} alternated runs each")
    print(f"{'command':<18}{'median s':>10}{'best s':>10}{'modules':>10}")
    for label, arguments in COMMANDS.items():
        median, best = statistics.median(times[label]), min(times[label])
        print(f"{label:<18}{median:>10.3f}{best:>10.3f}{modules_imported(arguments, env):>10}")
    po = statistics.median(times["po --help"])
    verdict = "met" if po < TARGET_SECONDS else "NOT met"
    print(f"po --help: {po:.3f} s median, target < {TARGET_SECONDS} s: {verdict}")


if __name__ == "__main__":
    main()
