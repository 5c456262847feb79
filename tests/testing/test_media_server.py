"""The loopback media server the download tests use (ovavel.testing): byte ranges, planted
errors, and nothing outside its folder."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from ovavel.testing.media_server import MediaServer


def test_media_server_ranges_and_errors(tmp_path):
    (tmp_path / "f.bin").write_bytes(bytes(range(256)))
    with MediaServer(tmp_path, errors={"g.bin": [429]}) as srv:
        req = urllib.request.Request(f"{srv.url}/f.bin", headers={"Range": "bytes=10-19"})
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 206 and resp.read() == bytes(range(10, 20))
            assert resp.headers["Content-Range"] == "bytes 10-19/256"
        req = urllib.request.Request(f"{srv.url}/f.bin", headers={"Range": "bytes=-6"})
        with urllib.request.urlopen(req) as resp:
            assert resp.read() == bytes(range(250, 256))
        with pytest.raises(urllib.error.HTTPError, match="429"):
            urllib.request.urlopen(f"{srv.url}/g.bin")
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{srv.url}/g.bin")  # the 429 was used up; no such file
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{srv.url}/../etc/passwd")
    assert [r.status for r in srv.requests] == [206, 206, 429, 404, 404]
