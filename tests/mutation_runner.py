"""A fast test runner for mutation testing (mutmut), outside the default suite.

mutmut runs the tests once per mutant, and most of a small test file's time is the start-up of
pytest, torch and scikit-learn, not the tests. This runner pays that once: the server imports the
heavy third-party libraries (never nlpzoo, so every run imports the mutated module afresh) and
runs each request in a forked child::

    python tests/mutation_runner.py serve &            # once, in the repository root
    mutmut run --paths-to-mutate core/neural/training.py --tests-dir tests \\
        --runner "python tests/mutation_runner.py run -x -q tests/core/neural/test_training.py"

``run ARGS`` passes ARGS to pytest in a fresh fork of the server and exits with 0 when pytest
passed and 1 otherwise: mutmut 2 counts only exit code 1 as a killed mutant, so a mutant that
breaks the import of a module (pytest's exit code 2, a collection error) would count as a
survivor. When no server is listening it runs pytest in a new process, so the command works
either way.
When mutmut kills a run that took too long, the forked child and its processes are killed too.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

SOCKET = os.environ.get("ZOO_MUTATION_SOCKET", f"/tmp/nlpzoo-mutation-{os.getuid()}.sock")
HEAVY = ("torch", "numpy", "sklearn.linear_model", "sklearn.metrics", "sklearn.feature_extraction.text",
         "tokenizers", "safetensors.torch", "transformers", "click", "rich.console", "rich.table", "hypothesis",
         "pytest")
PROJECT_PACKAGES = ("core", "plugins", "cli")   # the sources mutmut mutates


def serve() -> None:
    import importlib

    for name in HEAVY:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    assert not any(name == "nlpzoo" or name.startswith("nlpzoo.") for name in sys.modules), \
        "the server must not import nlpzoo: every run has to import the mutated sources afresh"
    if os.path.exists(SOCKET):
        os.unlink(SOCKET)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(SOCKET)
    server.listen(1)
    print(f"mutation runner listening on {SOCKET}", flush=True)
    while True:
        connection, _ = server.accept()
        with connection:
            request = json.loads(connection.makefile("r").readline())
            code = run_forked(request["args"], request["cwd"], connection)
            try:
                connection.sendall(f"{code}\n".encode())
            except OSError:
                pass


def run_forked(args: list[str], cwd: str, connection: socket.socket) -> int:
    child = os.fork()
    if child == 0:  # a fresh process, torch already imported
        os.setsid()
        os.chdir(cwd)
        sys.path.insert(0, cwd)
        # mutmut sets PYTHONDONTWRITEBYTECODE: a .pyc written for one mutant must never be read for the next
        # (Python checks only the source's size and whole-second mtime). The server started without it.
        sys.dont_write_bytecode = True
        for package in PROJECT_PACKAGES:
            for cache in Path(cwd, package).rglob("__pycache__"):
                shutil.rmtree(cache, ignore_errors=True)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        import pytest

        code = pytest.main(args)
        os._exit(int(code))
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            return os.waitstatus_to_exitcode(status)
        readable, _, _ = select.select([connection], [], [], 0.05)
        if readable and not connection.recv(1, socket.MSG_PEEK):  # the client was killed (mutmut's timeout)
            os.killpg(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return -9


def run(args: list[str]) -> int:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(SOCKET)
    except OSError:  # no server: an ordinary pytest process
        return subprocess.call([sys.executable, "-m", "pytest", *args])
    with client:
        client.sendall((json.dumps({"args": args, "cwd": os.getcwd()}) + "\n").encode())
        reply = client.makefile("r").readline().strip()
    return int(reply) if reply.lstrip("-").isdigit() else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve()
    elif sys.argv[1:2] == ["run"]:
        sys.exit(0 if run(["-p", "no:cacheprovider", *sys.argv[2:]]) == 0 else 1)
    else:
        sys.exit(__doc__)
