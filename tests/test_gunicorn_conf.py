"""gunicorn.conf.py holds the production server settings the measurements support;
it is plain Python, read here without gunicorn."""

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def load(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_it_runs_threaded_workers_recycled_and_patient_with_slow_renders(monkeypatch):
    config = load(monkeypatch)
    assert config["worker_class"] == "gthread"
    assert config["threads"] == 4
    assert (config["max_requests"], config["max_requests_jitter"]) == (500, 50)
    # Above the slowest PDF rendered in a request (31 s on a slow machine).
    assert config["timeout"] == 60
    assert config["graceful_timeout"] == 60
    assert config["accesslog"] == "-"
    assert config["bind"] == "127.0.0.1:8000"


def test_it_starts_two_workers_per_cpu_at_most_eight(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert load(monkeypatch)["workers"] == 4
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(32)), raising=False)
    assert load(monkeypatch)["workers"] == 8


def test_the_environment_sets_workers_and_port(monkeypatch):
    config = load(monkeypatch, WEB_CONCURRENCY="3", PORT="5000")
    assert config["workers"] == 3
    assert config["bind"] == "0.0.0.0:5000"


@pytest.mark.parametrize("value", ["many", "0"])
def test_a_bad_worker_count_stops_it_with_a_message(monkeypatch, value):
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be"):
        load(monkeypatch, WEB_CONCURRENCY=value)
