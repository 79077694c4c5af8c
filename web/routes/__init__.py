"""The app's routers and the site navigation, in one place.

A new page (a duty finder, a panel brief, a quiz) adds its router to ``ROUTERS`` and, if it
belongs in the header, a ``(label, path)`` pair to ``NAV``; ``create_app`` and the base
template pick both up.
"""

from __future__ import annotations

from cpguide.web.routes import brief, chat, check, documents, duties, health, quiz, search

ROUTERS = [chat.router, search.router, documents.router, health.router, quiz.router, duties.router, brief.router,
           check.router]

NAV: list[tuple[str, str]] = [("Chat", "/"), ("Documents", "/documents"), ("Quiz", "/quiz"), ("Duties", "/duties"),
                              ("Panel brief", "/brief"), ("Check a strategy", "/check")]
