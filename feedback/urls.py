from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/figures.csv", views.dashboard_csv, name="dashboard-csv"),
    path("dashboard/feedback.jsonl", views.feedback_jsonl, name="feedback-jsonl"),
]
