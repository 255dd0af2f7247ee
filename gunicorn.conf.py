"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py config.wsgi`.

Each value is what the measurements in issue 13 support (2-core machine): threaded
workers kept ordinary pages at 29 ms while PDFs rendered next to them; single-threaded
sync workers let a few PDF renders take every worker and queue every page behind them.
Environment: WEB_CONCURRENCY (processes), PORT (listen on all interfaces at that port).
"""

import os


def _cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _whole_number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}.")
    return value


# Listen on loopback behind a reverse proxy by default; platforms that give the port
# in PORT expect the app on every interface.
bind = f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"

# Threaded workers: a thread waiting on the database or rendering a PDF leaves the
# other threads of its process serving pages ("gthread 2x4 kept pages at 29 ms while
# PDFs rendered"). 4 threads per process, as measured; more would add little, as
# Python runs one thread of a process at a time and renders are CPU-bound.
worker_class = "gthread"
threads = 4

# Processes: 2 per CPU, so one process's busy threads (a PDF render holds its share
# of the CPU) never leave a CPU idle. At most 8 by default: each process grows to
# about 170 MB after a 30-partner PDF, so 8 is about 1.4 GB. WEB_CONCURRENCY overrides
# it, for a machine with more memory or less.
workers = _whole_number("WEB_CONCURRENCY", min(2 * _cpus(), 8))

# Restart each worker after about 500 requests (the jitter keeps them from restarting
# together): WeasyPrint's memory grows with every distinct PDF and is not given back to
# the system, so a long-lived worker would only grow.
max_requests = 500
max_requests_jitter = 50

# A worker silent for this long is killed and replaced. Above the slowest render done
# in a request (the 30-partner PDF took up to 31 s on a slow machine), so a long but
# healthy render is never cut off; gunicorn's default of 30 s would be too close.
timeout = 60

# On a restart (a deploy, HUP, or max_requests), a worker gets this long to finish the
# requests it is serving, a PDF render included, before it is stopped.
graceful_timeout = 60

# Access log to standard output, for the platform's log collector, with the time each
# request took (%(M)s, in milliseconds); errors go to standard error.
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
