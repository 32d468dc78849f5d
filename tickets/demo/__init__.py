"""Demo data for the fictional support desk of "Tallyhive" (see ``tickets.demo.scenarios``)."""

from .scenarios import CUSTOMERS, SCENARIOS, demo_tickets

__all__ = ["CUSTOMERS", "SCENARIOS", "demo_tickets"]
