"""The echo pipeline: proves the path API → broker → worker → database end to end."""

from __future__ import annotations

import time
from typing import Any


def echo(params: dict[str, Any]) -> dict[str, Any]:
    """Wait `delay` seconds (to let tests interrupt a running operation), return the message."""
    time.sleep(float(params.get("delay", 0)))
    return {"message": str(params.get("message", ""))}
