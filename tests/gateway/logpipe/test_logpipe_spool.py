"""The on-disk spool: durable appends, resumable replay, one owner per directory, adoption of dead workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndxp_sim.gateway.logpipe.spool import Spool


def records(start: int, count: int) -> list[bytes]:
    return [b'{"exchange_id":"%d"}' % i for i in range(start, start + count)]


def test_appended_records_are_read_back_in_order_and_removed_once_acknowledged(tmp_path: Path) -> None:
    spool = Spool(tmp_path, owner="w1")
    spool.open()
    spool.append(records(0, 3))
    spool.append(records(3, 2))
    assert spool.backlog == 5
    spool.seal()
    [segment] = spool.segments()
    assert spool.read(segment) == records(0, 5)
    spool.acknowledge(segment, 5)
    spool.remove(segment)
    assert spool.backlog == 0 and spool.segments() == []
    spool.close()


def test_segments_rotate_at_their_size_limit(tmp_path: Path) -> None:
    spool = Spool(tmp_path, owner="w1", segment_bytes=100)
    spool.open()
    for i in range(10):
        spool.append(records(i * 5, 5))
    spool.seal()
    segments = spool.segments()
    assert len(segments) == 10
    assert [line for s in segments for line in spool.read(s)] == records(0, 50)
    spool.close()


def test_a_dead_workers_spool_is_adopted_and_resumes_after_the_acknowledged_part(tmp_path: Path) -> None:
    dead = Spool(tmp_path, owner="dead")
    dead.open()
    dead.append(records(0, 10))
    dead.seal()
    dead.acknowledge(dead.segments()[0], 4)
    dead.close()  # what the kernel does to the flock when the process dies

    heir = Spool(tmp_path, owner="heir")
    heir.open()
    assert heir.backlog == 6
    [segment] = heir.segments()
    assert heir.read(segment) == records(4, 6)
    assert not (tmp_path / "dead").exists()
    heir.close()


def test_a_live_workers_spool_is_left_alone(tmp_path: Path) -> None:
    live = Spool(tmp_path, owner="live")
    live.open()
    live.append(records(0, 3))
    other = Spool(tmp_path, owner="other")
    other.open()
    assert other.backlog == 0 and live.backlog == 3
    with pytest.raises(RuntimeError, match="locked"):
        Spool(tmp_path, owner="live").open()
    other.close()
    live.close()


def test_a_torn_last_record_is_skipped_and_counted(tmp_path: Path) -> None:
    spool = Spool(tmp_path, owner="w1")
    spool.open()
    spool.append(records(0, 2))
    spool.seal()
    [segment] = spool.segments()
    with segment.open("ab") as f:
        f.write(b'{"exchange_id":"par')  # power lost mid-write
    assert spool.read(segment) == records(0, 2)
    assert spool.corrupt == 1
    spool.close()
