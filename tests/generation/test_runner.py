"""The queue's worker thread: work handed over runs on its own loop, results come back as futures, events
come back in batches, and stopping cancels what runs and ends the thread."""

from __future__ import annotations

import threading

from shotplanner.generation.runner import EventInbox


def test_the_inbox_wakes_once_per_burst_and_keeps_every_event_in_order() -> None:
    wakes: list[int] = []
    inbox: EventInbox[int] = EventInbox(lambda: wakes.append(1))

    def produce() -> None:
        for i in range(1000):
            inbox.put(i)

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join()
    assert len(wakes) == 1 and len(inbox) == 1000
    taken = []
    while (item := inbox.take()) is not None:
        taken.append(item)
    assert taken == list(range(1000))
    inbox.put(1000)  # not re-armed yet: no new wake, the consumer is still responsible
    assert len(wakes) == 1
    assert not inbox.rearm()  # an event is waiting: keep taking
    assert inbox.take() == 1000 and inbox.rearm()
    inbox.put(1001)
    assert len(wakes) == 2
