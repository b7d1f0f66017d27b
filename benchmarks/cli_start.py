"""CLI start-up against ``python -c "import sqlalchemy"``, median of alternating runs (issue 21).

    python benchmarks/cli_start.py                  # 15 runs of each, alternating
    python benchmarks/cli_start.py --runs 31 --command "report --help"

Each run is a fresh interpreter (the console script's own ``main``), so the figure is what a clerk
waits for before a command starts its work.  The baseline and the commands are run in turn (baseline,
command 1, command 2, baseline, ...), so load from other work on the machine falls on both alike;
the ratio of the medians is printed beside the target (at most 2x).  ``--list`` prints the heaviest
modules the command imports (``-X importtime``), to show where a regression came from.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time

TARGET = 2.0
BASELINE = "import sqlalchemy"
DEFAULT_COMMANDS = ("--help", "report --help", "register --help")


def command_code(args: str) -> str:
    """The console script, run in a fresh interpreter: ``petitionkit ARGS`` (output discarded)."""
    argv = shlex.split(args)
    return f"import sys; from petitionkit.cli import main; sys.argv = ['petitionkit', *{argv!r}]; main()"


def once(code: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0,):
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"failed: {code}")
    return elapsed


def measure(commands: list[str], runs: int) -> dict[str, list[float]]:
    """Alternating runs: the baseline, then each command, ``runs`` rounds (after one warm-up round)."""
    codes = {"baseline": BASELINE, **{c: command_code(c) for c in commands}}
    times: dict[str, list[float]] = {name: [] for name in codes}
    for round_ in range(runs + 1):
        for name, code in codes.items():
            elapsed = once(code)
            if round_:  # the first round warms the file cache
                times[name].append(elapsed)
    return times


def heaviest(args: str, count: int) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time for ``petitionkit ARGS`` (microseconds)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", command_code(args)], capture_output=True, text=True, check=False
    )
    found = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            found.append((int(parts[1]), parts[2].rstrip()))
    return sorted(found, reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--command", action="append", help="petitionkit arguments (repeatable)")
    parser.add_argument("--list", type=int, default=0, help="also print the N heaviest imports of each command")
    options = parser.parse_args(argv)
    commands = options.command or list(DEFAULT_COMMANDS)
    times = measure(commands, options.runs)
    base = statistics.median(times["baseline"])
    print(f"CLI start-up, median of {options.runs} alternating runs (Python {sys.version.split()[0]})")
    print(f"{'command':<32} {'median ms':>10} {'baseline ms':>12} {'ratio':>7}  target")
    for command in commands:
        ours = statistics.median(times[command])
        print(
            f"{'petitionkit ' + command:<32} {ours * 1000:>10.0f} {base * 1000:>12.0f} {ours / base:>7.2f}  <= {TARGET}"
        )
    for command in commands[: options.list and len(commands)]:
        print(f"heaviest imports of 'petitionkit {command}' (cumulative us):")
        for micro, name in heaviest(command, options.list):
            print(f"  {micro:>9,}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
