"""Exchange ids: RFC 9562 UUIDv7 that sort by the time they were made."""

from __future__ import annotations

import time
import uuid

from ndxp_sim.gateway.exchange import sortable_uuid


def test_exchange_ids_are_unique_version_7_uuids_in_canonical_form() -> None:
    ids = [sortable_uuid() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert str(parsed) == text


def test_exchange_ids_carry_the_millisecond_they_were_made_and_sort_by_it() -> None:
    before = time.time_ns() // 1_000_000
    first = sortable_uuid()
    time.sleep(0.003)
    second = sortable_uuid()
    after = time.time_ns() // 1_000_000
    assert before <= uuid.UUID(first).int >> 80 <= uuid.UUID(second).int >> 80 <= after
    assert first < second


def test_the_random_bits_vary_in_every_random_position() -> None:
    ids = [uuid.UUID(sortable_uuid()).int for _ in range(2000)]
    rand_a = {value >> 64 & 0xFFF for value in ids}
    rand_b = {value & (1 << 62) - 1 for value in ids}
    variant_bits = {value >> 60 & 0x3 for value in ids}  # the 2 random bits after the variant
    assert len(rand_a) > 1000 and len(rand_b) == 2000 and variant_bits == {0, 1, 2, 3}
