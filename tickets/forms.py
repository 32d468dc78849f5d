"""Forms of the agent workspace: every input validated, every error shown next to its field."""

from django import forms

from ai_enrichment.models import Category, Priority
from feedback.models import Feedback
from tickets.models import Ticket

STATUS_CHOICES = [("active", "Active (new, open, pending, on hold)"), ("all", "All"), *Ticket.Status.choices]


def _label_choices(model) -> list[tuple[str, str]]:
    return list(model.objects.filter(is_active=True).order_by("position", "slug").values_list("slug", "name"))


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    category = forms.ChoiceField(required=False)
    priority = forms.ChoiceField(required=False)
    source = forms.ChoiceField(required=False)
    low_confidence = forms.BooleanField(required=False, label="Low confidence")
    ai_failed = forms.BooleanField(required=False, label="AI failed")

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any category"), *_label_choices(Category)]
        self.fields["priority"].choices = [("", "Any priority"), *_label_choices(Priority)]
        self.fields["source"].choices = [("", "Any source"), *((s.slug, s.name) for s in sources)]


class VoteForm(forms.Form):
    vote = forms.ChoiceField(choices=Feedback.Vote.choices)
    # Rendered beside the buttons without a <label>: the empty choice and the placeholder say what they
    # are for, and aria-label names them for screen readers.
    reason = forms.ChoiceField(
        choices=[("", "Why not helpful?"), *Feedback.Reason.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": "Why not helpful"}),
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "Comment on the suggestion (optional)", "aria-label": "Comment"}
        ),
    )
    displayed_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class LabelsForm(forms.Form):
    category = forms.ChoiceField()
    priority = forms.ChoiceField()
    displayed_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _label_choices(Category)
        self.fields["priority"].choices = _label_choices(Priority)


class ReplyForm(forms.Form):
    final_reply = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 10}), label="Reply")
    action = forms.ChoiceField(choices=[("sent", "Mark as sent"), ("copied", "Copied to the helpdesk")])
    displayed_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_final_reply(self):
        value = self.cleaned_data["final_reply"]
        if "\x00" in value:
            raise forms.ValidationError("The reply contains a NUL character.")
        return value
