"""Roles are Django groups: agents work the queue; leads also read the dashboard; staff run the admin."""

AGENTS = "agents"
LEADS = "leads"
