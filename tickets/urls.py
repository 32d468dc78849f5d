from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("tickets/<int:ticket_id>/badge/", views.queue_badge, name="badge"),
    path("tickets/<int:ticket_id>/ai/", views.ai_panel, name="ai-panel"),
    path("tickets/<int:ticket_id>/vote/", views.vote, name="vote"),
    path("tickets/<int:ticket_id>/labels/", views.labels, name="labels"),
    path("tickets/<int:ticket_id>/reply/", views.reply, name="reply"),
    path("tickets/<int:ticket_id>/regenerate/", views.regenerate, name="regenerate"),
]
