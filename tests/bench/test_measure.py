"""The harness's load phases: what they write for wrk."""

from __future__ import annotations

from pathlib import Path

from bench.load import Target
from bench.measure import Meter, Plan


def test_meters_sharing_a_work_directory_keep_their_own_wrk_scripts(tmp_path: Path) -> None:
    # The alternating phases drive two servers from one work directory: a script of one meter written
    # over the other's would send the gateway's request to the bare proxy, or the reverse.
    plan = Plan("wrk", 1, 1.0, 0.0, 1, 1, 1.0, 1, 1, 1.0, tmp_path)
    gateway, bare = Meter(plan, {}, "gateway"), Meter(plan, {}, "bare")
    to_gateway = Target("http://127.0.0.1:1/apiCSDLDKDN/1.0/x", headers={"Authorization": "Bearer t"})
    to_bare = Target("http://127.0.0.1:2/csdl_dkdn/x")

    for_gateway, for_bare = gateway.script_for(to_gateway), bare.script_for(to_bare)

    assert for_gateway != for_bare
    assert "Authorization" in for_gateway.read_text()
    assert "Authorization" not in for_bare.read_text()
    assert gateway.script_for(to_gateway) == for_gateway  # written once per target
