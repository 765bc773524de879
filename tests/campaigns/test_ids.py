"""Decision ids are time-ordered (UUID version 7): a later decision's id sorts after an earlier
one's, so the decision log's indexes grow at one end; the rest of the id stays random."""

import time
import uuid

from campaigns.ids import uuid7


def test_a_later_id_sorts_after_an_earlier_one_and_ids_are_version_7():
    earlier = uuid7()
    time.sleep(0.002)
    later = uuid7()
    assert earlier < later and str(earlier) < str(later)
    assert {earlier.version, later.version} == {7}
    assert earlier.variant == uuid.RFC_4122
    # The first 48 bits are the time in milliseconds
    assert abs((later.int >> 80) - time.time_ns() // 1_000_000) < 1000


def test_ids_made_in_the_same_millisecond_still_differ():
    ids = {uuid7() for _ in range(10_000)}
    assert len(ids) == 10_000
