"""``/api/events``: one server-sent event each time the catalog changes, so open pages refetch instead of polling."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from furu.dashboard.routes.experiments import ServiceDep

router = APIRouter(tags=["events"])
WATCH_INTERVAL_SECS = 1.0


@router.get("/events", response_class=EventSourceResponse)
async def events(svc: ServiceDep, request: Request) -> AsyncIterator[ServerSentEvent]:
    """Event ``catalog`` (data: ``{"artifacts": n}``) at once, then whenever an artifact appears, goes or changes."""
    last = None
    while not await request.is_disconnected():
        now = await asyncio.to_thread(svc.signature)
        if now != last:
            last = now
            yield ServerSentEvent(raw_data=json.dumps({"artifacts": now[0]}), event="catalog")
        await asyncio.sleep(WATCH_INTERVAL_SECS)
