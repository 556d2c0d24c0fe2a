"""The local demo accounts (DEBUG only): plain data, so gunicorn's config can print them once the
server listens without setting Django up."""

DEMO_ACCOUNTS = [
    # username, password, email, staff
    ("demo", "demo-candidate-2026", "demo@example.com", False),
    ("admin", "admin-local-2026", "admin@example.com", True),
]


def banner(url: str) -> str:
    lines = [f"examprep is listening on {url}", "Local accounts (this machine only):"]
    lines += [
        f"  {'admin    ' if staff else 'candidate'}  {username} / {password}"
        for username, password, _, staff in DEMO_ACCOUNTS
    ]
    return "\n".join(lines)
