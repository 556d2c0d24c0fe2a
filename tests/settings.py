"""Test settings: production's settings (DEBUG off), with only what makes tests fast changed.

The suite runs the code paths production runs: secure cookies, the manifest static storage that
``collectstatic`` fills (tests/conftest.py collects once per session), error pages without
DEBUG's tracebacks. The environment below is what a deployment sets (see .env.example).
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
# The test client's host, and the live server's for the browser tests.
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests speak plain HTTP to the app, as a deployment behind a TLS-terminating proxy does when the
# proxy does the redirect (the HTTPS redirect itself is checked by `check --deploy` in a test).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Where links in mails point: the live server for the browser tests is on localhost.
os.environ.setdefault("SITE_URL", "http://testserver")

from config.settings import *  # noqa: F403

# ---------------------------------------------------------------- Speed only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The lockout tests set their own limit; keep the default small and explicit.
AXES_FAILURE_LIMIT = 3
# Hashed names from the manifest, as in production, without compressing every file each session.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# collectstatic writes here once per test session: a folder of this run's own, outside the work
# tree (runs side by side must not clear each other's files), removed when the run ends.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="examprep-test-static-"))
atexit.register(shutil.rmtree, STATIC_ROOT, ignore_errors=True)
# Tasks run inline, as on SQLite, unless a test turns the queue on (tests/queue).
TASK_QUEUE = False
