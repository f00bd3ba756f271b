"""GET from a server of ours on this machine (the benchmarks' and load tests' gunicorn)."""

import http.client


def get(port: int, path: str, timeout: float) -> bytes:
    """GET http://127.0.0.1:<port><path>: plain HTTP only (http.client takes no other scheme).
    An error status raises OSError, as urlopen's HTTPError did, like a refused connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status >= 400:
        raise OSError(f"GET {path}: HTTP {response.status}")
    return body
