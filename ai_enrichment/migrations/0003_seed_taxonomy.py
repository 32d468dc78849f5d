from django.db import migrations

CATEGORIES = [
    (
        "billing",
        "Billing",
        "Charges, invoices, receipts, refunds, plans, payment methods, VAT or tax on our invoices.",
    ),
    (
        "technical",
        "Technical",
        "Something in the product does not work as documented: errors, sync failures, crashes, slowness, integrations, API.",
    ),
    (
        "feature_request",
        "Feature request",
        "The customer asks for something the product does not do yet, or for a change to how it works.",
    ),
    (
        "complaint",
        "Complaint",
        "Dissatisfaction with the service, an agent, a policy or response times, whatever the underlying topic.",
    ),
    (
        "account",
        "Account",
        "Access and identity: login, passwords, two-factor, users and roles, ownership, SSO, closing or exporting an account.",
    ),
    ("other", "Other", "Anything that fits none of the above: general questions, partnerships, press, spam."),
]
PRIORITIES = [
    ("low", "Low", "No impact on the customer's work; a question or a wish. Can wait several days."),
    (
        "medium",
        "Medium",
        "A problem with a workaround, or one that affects a single user. Within a business day.",
    ),
    (
        "high",
        "High",
        "A core workflow is blocked for the customer, or money is at stake, without a workaround. Within hours.",
    ),
    (
        "critical",
        "Critical",
        "Many users or the whole business blocked, data loss, security incidents, or payroll/payments failing today. Now.",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("ai_enrichment", "Category")
    Priority = apps.get_model("ai_enrichment", "Priority")
    for position, (slug, name, description) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for position, (slug, name, description) in enumerate(PRIORITIES):
        Priority.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("ai_enrichment", "0002_taxonomy_enrichment_aicall_callbacks")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
