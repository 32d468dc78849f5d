"""Who may see what in the agent workspace. Every workspace view goes through these helpers."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

from tickets import roles
from tickets.models import Source, Ticket


def is_agent(user) -> bool:
    """Agents and leads work tickets; superusers may too."""
    return user.is_active and (
        user.is_superuser or user.groups.filter(name__in=[roles.AGENTS, roles.LEADS]).exists()
    )


def agent_required(view):
    """Anonymous users go to the login page; signed-in users who are not agents get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_agent(request.user):
            raise PermissionDenied("The agent workspace is for the agents and leads groups.")
        return view(request, *args, **kwargs)

    return wrapper


def is_lead(user) -> bool:
    """Leads read the dashboard; superusers may too."""
    return user.is_active and (user.is_superuser or user.groups.filter(name=roles.LEADS).exists())


def lead_required(view):
    """Anonymous users go to the login page; signed-in users who are not leads get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_lead(request.user):
            raise PermissionDenied("The dashboard is for the leads group.")
        return view(request, *args, **kwargs)

    return wrapper


def workspace_roles(request) -> dict:
    """Template context: which parts of the workspace to offer in the navigation (evaluated lazily)."""
    return {"is_lead": SimpleLazyObject(lambda: request.user.is_authenticated and is_lead(request.user))}


def sources_visible_to(user) -> QuerySet[Source]:
    """A source with no teams is open to every agent; otherwise only to members of its teams."""
    if user.is_superuser:
        return Source.objects.all()
    return Source.objects.filter(Q(teams__isnull=True) | Q(teams__in=user.groups.all())).distinct()


def tickets_visible_to(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(source__in=sources_visible_to(user))


def ticket_for_agent(user, ticket_id: int) -> Ticket:
    """The ticket, or 404 when it does not exist or belongs to a source the agent may not see."""
    return get_object_or_404(tickets_visible_to(user).select_related("source"), pk=ticket_id)
