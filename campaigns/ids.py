"""Time-ordered identifiers for the decision log: UUID version 7 (RFC 9562, section 5.7).

A decision's id used to be random (version 4): every insert landed on a random page of the
primary key and of the presentations' (decision, offer) index, so at thousands of decisions a
second those indexes were written all over, and after each checkpoint every page touched was
logged whole again. A version-7 id starts with the time in milliseconds, so new ids go to the
right-hand end of those indexes, as a sequence's would; the rest is random, so ids are still
unguessable and can be made by any process without coordination. Python's own ``uuid.uuid7``
arrives in 3.14.
"""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """A new version-7 UUID: 48 bits of Unix time in milliseconds, the version, 74 random bits
    and the variant."""
    ms = time.time_ns() // 1_000_000
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # variant 10 (RFC 9562)
    return uuid.UUID(int=value)
