"""Run a few commands side by side and stop them together: ``make run``'s web server and task-queue worker.

Not a service manager (production runs each under systemd, docs/deployment.md): the processes start in their own
session, so Ctrl-C reaches this supervisor only, which passes SIGINT on to every child (the worker finishes the
task it is running), waits ``grace`` seconds, then terminates what is left. When one child exits by itself, the
others are stopped the same way and its exit code is returned.
"""

import os
import signal
import subprocess
import sys
import time

POLL_SECONDS = 0.2


def run_together(commands: dict[str, list[str]], *, grace: float = 10.0) -> int:
    """Start each named command; return when all have stopped (the first exit code that is not 0, else 0)."""
    stopping = []
    previous = {signum: signal.signal(signum, lambda signum, frame: stopping.append(signum))
                for signum in (signal.SIGINT, signal.SIGTERM)}
    children = {}
    try:
        children.update((name, subprocess.Popen(argv, start_new_session=True)) for name, argv in commands.items())
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(POLL_SECONDS)
    finally:
        ended = [name for name, child in children.items() if child.poll() is not None]
        if ended and not stopping:
            print(f"{ended[0]} stopped (exit code {children[ended[0]].returncode}); stopping the others.",
                  file=sys.stderr)
        _stop(children.values(), grace)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return next((children[name].returncode for name in ended if children[name].returncode), 0)


def _stop(children, grace: float) -> None:
    running = [child for child in children if child.poll() is None]
    for child in running:
        _signal_group(child, signal.SIGINT)
    deadline = time.monotonic() + grace
    for child in running:
        try:
            child.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGTERM)
    for child in running:
        try:
            child.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    """Signal the child and what it started (Flask's reloader runs the server in a process of its own)."""
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass
