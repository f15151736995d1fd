"""Page load times of the workbench (server side: request to last byte, in process through the ASGI app over
a fresh SQLite database; the browser's own rendering is not included).  Median and max of N loads per page.

    PYTHONPATH=.:tests python benchmarks/web_pages.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from web_support import csrf_of, login, make_app

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    app = make_app(Path(tempfile.mkdtemp(prefix="egov-web-bench-")))
    client = TestClient(app)
    login(client, "rev")
    data = (ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").read_bytes()
    token = csrf_of(client.get("/reviews/new").text)
    saved = client.post("/reviews/new", data={"csrf": token, "save": "1"},
                        files={"file": ("02.yaml", data, "application/yaml")}, follow_redirects=False)
    review = saved.headers["location"]
    pages = {"login": "/login", "reviews": "/", "new review": "/reviews/new", "review (fixture 02)": review,
             "interview (first question)": "/interview", "rulebook": "/rulebook", "article 17": "/rulebook/17"}
    print(f"| page | median ms | max ms | (n={n}) |\n|---|---|---|---|")
    for label, path in pages.items():
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(f"| {label} | {statistics.median(times):.0f} | {max(times):.0f} | |")
    login(client, "boss")
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.get("/portfolio")
        times.append((time.perf_counter() - started) * 1000)
    print(f"| portfolio (1 review) | {statistics.median(times):.0f} | {max(times):.0f} | |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
