// The pytest plugin tests.mutationScore loads in its grader pod (`-p academy_report`), as Python
// source. It writes one JSON line per event to $ACADEMY_REPORT, flushed at once, so a run that is
// killed still says which test was running; it fails a test phase that runs longer than
// $ACADEMY_TEST_TIMEOUT seconds (SIGALRM, as pytest-timeout's signal method does), so one test that
// sleeps forever fails alone; and it seeds `random` (and numpy's global generator, when loaded)
// per test from $ACADEMY_SEED, as pytest-randomly does: each run of the same code is reproducible,
// and runs with different seeds expose tests that depend on chance.
export const PYTEST_REPORTER_MODULE = "academy_report";

export const PYTEST_REPORTER = String.raw`"""Academy's pytest reporter (lib/checks/kinds/pytest-reporter.ts)."""
import json
import os
import random
import signal
import sys
import time

import pytest

_out = open(os.environ["ACADEMY_REPORT"], "a", buffering=1)
_limit = int(os.environ.get("ACADEMY_TEST_TIMEOUT", "5"))
_seed = os.environ.get("ACADEMY_SEED", "0")


def _emit(**event):
    _out.write(json.dumps(event) + "\n")
    _out.flush()


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return crash.message
    text = report.longreprtext or ""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return "\n".join(errors) if errors else text.strip()


def _expire(signum, frame):
    pytest.fail("did not finish within %d s" % _limit, pytrace=False)


def _timed(phase):
    @pytest.hookimpl(hookwrapper=True)
    def wrapper(item):
        if phase == "setup":
            random.seed("%s:%s" % (_seed, item.nodeid))
            numpy = sys.modules.get("numpy")
            if numpy is not None:
                numpy.random.seed(int(_seed))
        previous = signal.signal(signal.SIGALRM, _expire)
        signal.alarm(_limit)
        try:
            yield
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    return wrapper


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")


def pytest_runtest_logstart(nodeid, location):
    _emit(event="start", test=nodeid, t=time.time())


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        _emit(event="result", test=report.nodeid, when=report.when, outcome=report.outcome, message=_message(report) if report.failed else "")


def pytest_collectreport(report):
    if report.failed:
        _emit(event="collect", test=report.nodeid, outcome="failed", message=_message(report))


def pytest_sessionfinish(session, exitstatus):
    _emit(event="end", exit=int(exitstatus), collected=session.testscollected)
`;
