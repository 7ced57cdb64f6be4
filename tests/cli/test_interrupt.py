"""Interrupting ``report`` and ``replay`` at random moments (SIGINT, SIGTERM,
SIGKILL) never loses the previous output and never leaves a staging folder
behind past the next run; the interrupted process prints one line."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from eqselect.cli import main
from eqselect.output import StagedFolder


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _interrupt(argv, sig, after, cwd):
    proc = subprocess.Popen([sys.executable, "-m", "eqselect", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    time.sleep(after)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _check(code, err, sig, out, before, marker):
    """The folder holds the previous output or the whole new one, never a mix."""
    assert "Traceback" not in err, err
    expected = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}[sig]
    # -sig without a word: the signal came while Python itself started or shut
    # down (after the command finished), when the default action applies.
    assert code in (0, expected, -sig), (code, err)
    if code == expected and sig != signal.SIGKILL:
        assert err.strip().splitlines()[-1] in ("eqselect: interrupted", "eqselect: terminated")
    now = _snapshot(out)
    if now != before:  # the new output was swapped in before the signal took effect
        json.loads(now[marker])


@pytest.mark.parametrize("command,marker,sig", [
    (["report", "stag-hunt", "--param", "direct"], "report.json", signal.SIGINT),
    (["report", "stag-hunt", "--param", "direct"], "report.json", signal.SIGTERM),
    (["report", "stag-hunt", "--param", "direct"], "report.json", signal.SIGKILL),
    (["replay", "basin-map"], "replay.json", signal.SIGTERM),
])
def test_interrupted_run_keeps_the_previous_output(tmp_path, capsys, command, marker, sig):
    out = tmp_path / "out"
    previous = ["report", "tandem"] if command[0] == "report" else ["replay", "basin-map"]
    assert main([*previous, "--out", str(out)]) == 0
    capsys.readouterr()
    before = _snapshot(out)
    after = random.Random(f"{command}{sig}").uniform(0.2, 4.0)
    code, err = _interrupt([*command, "--out", str(out)], sig, after, tmp_path)
    _check(code, err, sig, out, before, marker)
    StagedFolder(out, marker).discard()  # what the next run does first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_interrupt_swallowed_by_a_callback_is_delivered_again():
    """Ctrl-C landing in a weakref callback during garbage collection was
    printed as "Exception ignored ... KeyboardInterrupt" and lost; the hook
    eqselect installs while a command runs sends the signal again, quietly."""
    import threading
    import types

    from eqselect.signals import redeliver_swallowed

    got, other = threading.Event(), []
    old = signal.signal(signal.SIGINT, lambda *a: got.set())
    try:
        hook = redeliver_swallowed(other.append)
        hook(types.SimpleNamespace(exc_value=KeyboardInterrupt()))
        for _ in range(200):  # the handler runs in the main thread between bytecodes
            if got.wait(0.01):
                break
        assert got.is_set() and other == []
        odd = types.SimpleNamespace(exc_value=ValueError("x"))
        hook(odd)
        assert other == [odd]  # anything else goes to the previous hook
    finally:
        signal.signal(signal.SIGINT, old)


def test_a_budget_expiry_swallowed_by_a_callback_is_not_reported():
    """The budget's timer firing inside a garbage-collection callback: Python
    swallows the exception there and hands it to the unraisable hook, which
    must print nothing (the timer repeats and interrupts the block itself);
    anything else still goes to the previous hook."""
    import types

    from eqselect.signals import redeliver_swallowed
    from eqselect.theory.budget import TimeBudgetExceeded, deadline, is_timer_expiry

    caught = []
    with pytest.raises(TimeBudgetExceeded):
        with deadline("a sleep", 0.01):
            try:
                time.sleep(2)
            except BaseException as exc:  # the timer's own exception, as a callback sees it
                caught.append(exc)
                raise
    assert len(caught) == 1 and is_timer_expiry(caught[0])
    assert not is_timer_expiry(KeyboardInterrupt()) and not is_timer_expiry(ValueError())
    other = []
    hook = redeliver_swallowed(other.append)
    hook(types.SimpleNamespace(exc_value=caught[0]))
    assert other == []
    odd = types.SimpleNamespace(exc_value=ValueError("x"))
    hook(odd)
    assert other == [odd]


@pytest.mark.parametrize("signals", [(signal.SIGINT,), (signal.SIGTERM, signal.SIGTERM),
                                     (signal.SIGINT, signal.SIGTERM)])
def test_a_signal_landing_in_teardown_still_prints_its_one_line(tmp_path, signals):
    """Signals sent once the command has written its output land in its
    teardown (or after it returned): the process ends with status 0 or the
    first signal's status and that one line, never killed silently."""
    proc = subprocess.Popen([sys.executable, "-m", "eqselect", "derive", "stag-hunt"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.stdout.readline()  # the command is printing its result: teardown is near
    for sig in signals:
        proc.send_signal(sig)
        time.sleep(0.01)
    out, err = proc.communicate(timeout=60)
    status = {signal.SIGINT: 130, signal.SIGTERM: 143}[signals[0]]
    assert proc.returncode in (0, status), (proc.returncode, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    if proc.returncode:
        assert err.strip().splitlines() == [
            {130: "eqselect: interrupted", 143: "eqselect: terminated"}[status]], err


def test_the_command_handler_raises_once_and_ends_the_process_after_the_command(monkeypatch):
    import eqselect.signals as sig

    ended = []
    monkeypatch.setattr(sig, "_exit_now", lambda signum, frame: ended.append(signum))
    monkeypatch.setitem(sig._SAID, "signal", None)
    monkeypatch.setattr(sig, "RUNNING", [True])
    with pytest.raises(KeyboardInterrupt):
        sig.command_signal(signal.SIGINT, None)
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:  # its cleanup runs: a second signal raises nothing
        sig.command_signal(signal.SIGTERM, None)
    sig.RUNNING[0] = False
    monkeypatch.setattr(sig, "_is_the_command", lambda: True)
    sig.command_signal(signal.SIGTERM, None)
    assert ended == [signal.SIGTERM]
    monkeypatch.setattr(sig, "_is_the_command", lambda: False)
    sig.command_signal(signal.SIGINT, None)  # a library user's process: left alone
    assert ended == [signal.SIGTERM]
