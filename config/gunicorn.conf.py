"""gunicorn settings: the one way examprep is served (bin/serve, the Docker image, make bench,
make chaos). Values come from the environment, as every other setting does (.env.example).

Threaded workers (gthread): a thread waiting on PostgreSQL does not hold up the worker's other
requests, and keep-alive connections (the exam page's autosaves) are held by the worker's
poller, not by a thread.
"""

import os

# All interfaces by default: inside the container the proxy reaches it over the network.
bind = f"{os.environ.get('BIND', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ACCESS_LOG", "-") or None
# Static files (and their 304s) stay out of the access log; errors on them still show.
logger_class = "config.gunicorn_logging.QuietStaticLogger"


def when_ready(server) -> None:
    """`make run` prints the local accounts once the server listens, where they stay in view."""
    if os.environ.get("SHOW_LOCAL_ACCOUNTS") == "1":
        from accounts.demo import banner

        host, port = bind.rsplit(":", 1)
        print("\n" + banner(f"http://{host}:{port}/") + "\n", flush=True)
