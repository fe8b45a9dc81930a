"""One fair-mode kiosk as its own process, swiping the cards it is told at the moment it is
told (tests/fair/test_two_processes.py drives two of these against one shared database).

    python -m tests.fair.kiosk_process URL EVENT_ID REPLICA KIOSK_ID

It opens the shared database and its replica as ``kiosk run`` does (``open_shared`` and a
``KioskDesk``), prints ``ready``, then for each line ``CARD AT`` on stdin waits until the
wall-clock time ``AT`` (seconds since the epoch), swipes ``CARD`` through the desk and prints
one JSON line: the answer's kind, its check-in id, whether the kiosk was online, and when the
swipe began. ``drain`` ticks as the app does until the status line is clear (at most 60 s) and
prints it; ``quit`` (or the end of stdin) ends it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin.events import get_event
from kiosk.desk import KioskDesk
from kiosk.fair.start import open_shared


async def main(url: str, event_id: str, replica: Path, kiosk_id: str) -> int:
    start = open_shared(url, replica)
    event = get_event(start.local, int(event_id))
    desk = KioskDesk(
        start.shared, event, RuleSet.empty(), kiosk_id=kiosk_id, replica=start.replica,
        link=start.link,
    )  # fmt: skip
    await desk.start()
    print(json.dumps({"ready": desk.link_status() or "online"}), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        if line.strip() == "drain":
            deadline = time.monotonic() + 60
            while desk.link_status() and time.monotonic() < deadline:
                await desk.tick()
                await asyncio.sleep(0.2)
            print(json.dumps({"status": desk.link_status()}), flush=True)
            continue
        card, at = line.split()
        while time.time() < float(at):  # spin the last moment: both kiosks swipe together
            await asyncio.sleep(min(0.01, max(0.0, float(at) - time.time() - 0.002)))
        began = time.time()
        outcome = await desk.handle_swipe(Swipe(f";{card}?", "front"))
        answer = {
            "kind": outcome.kind,
            "check_in_id": outcome.check_in_id,
            "online": not desk.link_status().startswith("offline"),
            "began": began,
        }
        print(json.dumps(answer), flush=True)
    start.replica.close()
    start.shared.dispose()
    return 0


if __name__ == "__main__":
    url, event_id, replica, kiosk_id = sys.argv[1:5]
    sys.exit(asyncio.run(main(url, event_id, Path(replica), kiosk_id)))
