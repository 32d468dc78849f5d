"""Demo support tickets for Tallyhive, a fictional company.

Tallyhive is an invented online invoicing, bookkeeping and payroll app for small businesses
(web and mobile apps, bank feeds, card payments through the fictional partner "Paystream",
Starter/Growth/Pro plans, integrations with the fictional "Cartwheel" store platform and
"Relaymark" CRM). Everything in this module -- customers, companies, e-mail addresses, phone
numbers, amounts and ticket texts -- was written from scratch for this project and does not
come from any public dataset. E-mail addresses use the reserved example.com/.org/.net domains
and phone numbers use ranges reserved for fiction.

Each entry in ``SCENARIOS`` carries the "true" labels an experienced Tallyhive agent would give
the ticket (``category`` and ``priority``) and a good agent ``reply``, consistent with the demo
help-centre articles in ``ai_enrichment/demo_kb/``. Scenario keys:

- ``category``: one of ``CATEGORIES``; ``priority``: one of ``PRIORITIES``
- ``language``: language the customer wrote in (``"en"``, ``"de"``, ``"es"`` or ``"fr"``);
  replies are written in the same language
- ``subject``, ``body``, ``reply``: text that may contain the placeholders ``{name}``,
  ``{invoice}``, ``{amount}`` and ``{date}``, filled in by ``demo_tickets``
- ``amounts`` (optional): the only amounts that make sense for that scenario

``demo_tickets()`` combines scenarios and customers into a deterministic list of tickets.
This module is plain data plus one pure function and has no Django imports.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

CATEGORIES = ("billing", "technical", "feature_request", "complaint", "account", "other")
PRIORITIES = ("low", "medium", "high", "critical")
LANGUAGES = ("en", "de", "es", "fr")
_CHANNELS = ("email", "web", "chat", "phone")

# How often each priority is drawn once every scenario has been used (critical issues are rarer).
_PRIORITY_WEIGHTS = {"low": 1.0, "medium": 1.2, "high": 0.8, "critical": 0.3}

# Dates mentioned in ticket texts are counted back from this fixed day so output is deterministic.
_REFERENCE_DATE = date(2025, 6, 30)

# Subscription charges including VAT, in the currency a customer writing in that language pays in.
_AMOUNTS = {
    "en": ["£14.40", "£33.60", "£66.00", "£144.00", "£336.00", "£660.00"],
    "de": ["16,66 €", "39,27 €", "77,35 €", "392,70 €", "773,50 €"],
    "es": ["16,94 €", "39,93 €", "78,65 €", "399,30 €", "786,50 €"],
    "fr": ["16,80 €", "39,60 €", "78,00 €", "396,00 €", "780,00 €"],
}

_DATE_FORMATS = {
    "en": "{day} {month}",
    "de": "{day}. {month}",
    "es": "{day} de {month}",
    "fr": "{day} {month}",
}
_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}

CUSTOMERS: list[dict[str, str]] = [
    {
        "external_id": "cus_1001",
        "email": "zoe.bronte@example.com",
        "name": "Zoë Brontë",
        "company": "Brontë & Daughters Bakery",
    },
    {
        "external_id": "cus_1002",
        "email": "lukasz.wojcik@example.net",
        "name": "Łukasz Wójcik",
        "company": "Wójcik Joinery",
    },
    {
        "external_id": "cus_1003",
        "email": "hanako.yamada@example.org",
        "name": "山田 花子",
        "company": "Yamada Design Studio",
    },
    {
        "external_id": "cus_1004",
        "email": "layla.haddad@example.com",
        "name": "ليلى حداد",
        "company": "Haddad Catering",
    },
    {
        "external_id": "cus_1005",
        "email": "priya@example.org",
        "name": "Priya Raghunathan",
        "company": "Raghunathan Physiotherapy",
    },
    {
        "external_id": "cus_1006",
        "email": "seun.adeyemi@example.net",
        "name": "Oluwaseun Adeyemi",
        "company": "Adeyemi Freight Ltd",
    },
    {
        "external_id": "cus_1007",
        "email": "siobhan.nibhriain@example.com",
        "name": "Siobhán Ní Bhriain",
        "company": "Cnoc Pottery",
    },
    {
        "external_id": "cus_1008",
        "email": "mateus@example.net",
        "name": "Mateus Carvalho",
        "company": "Carvalho Coffee Roasters",
    },
    {
        "external_id": "cus_1009",
        "email": "j.hoffmann@example.net",
        "name": "Jürgen Hoffmann",
        "company": "Hoffmann Elektrotechnik GmbH",
    },
    {
        "external_id": "cus_1010",
        "email": "annika.schaefer@example.org",
        "name": "Annika Schäfer",
        "company": "Schäfer Yoga Studio",
    },
    {
        "external_id": "cus_1011",
        "email": "felix.brandt@example.com",
        "name": "Felix Brandt",
        "company": "Brandt Fahrradwerkstatt",
    },
    {
        "external_id": "cus_1012",
        "email": "carmen.ortega@example.com",
        "name": "Carmen Ortega Ruiz",
        "company": "Ortega Reformas S.L.",
    },
    {
        "external_id": "cus_1013",
        "email": "jmorales@example.net",
        "name": "Javier Morales",
        "company": "Morales Fotografía",
    },
    {
        "external_id": "cus_1014",
        "email": "lucia.fernandez@example.org",
        "name": "Lucía Fernández",
        "company": "Clínica Dental Fernández",
    },
    {
        "external_id": "cus_1015",
        "email": "amelie.dubois@example.com",
        "name": "Amélie Dubois",
        "company": "Atelier Dubois",
    },
    {
        "external_id": "cus_1016",
        "email": "theo.lefevre@example.net",
        "name": "Théo Lefèvre",
        "company": "Lefèvre Menuiserie",
    },
    {
        "external_id": "cus_1017",
        "email": "nadia.benali@example.org",
        "name": "Nadia Benali",
        "company": "Benali Traiteur",
    },
    {
        "external_id": "cus_1018",
        "email": "tom@example.com",
        "name": "Tom Whitfield",
        "company": "Whitfield Roofing",
    },
    {
        "external_id": "cus_1019",
        "email": "grace.okafor@example.org",
        "name": "Grace Okafor",
        "company": "Okafor Tutoring",
    },
    {
        "external_id": "cus_1020",
        "email": "dan.kowalczyk@example.com",
        "name": "Daniel Kowalczyk",
        "company": "DK Plumbing & Heating",
    },
    {
        "external_id": "cus_1021",
        "email": "meilin.tan@example.net",
        "name": "Mei Lin Tan",
        "company": "Lantern Tea House",
    },
    {
        "external_id": "cus_1022",
        "email": "arjun.mehta@example.com",
        "name": "Arjun Mehta",
        "company": "Mehta Digital",
    },
    {
        "external_id": "cus_1023",
        "email": "fz.elidrissi@example.org",
        "name": "Fatima Zahra El Idrissi",
        "company": "Atlas Translations",
    },
    {
        "external_id": "cus_1024",
        "email": "kwame.mensah@example.net",
        "name": "Kwame Mensah",
        "company": "Mensah Events",
    },
    {
        "external_id": "cus_1025",
        "email": "sofia.russo@example.com",
        "name": "Sofia Russo",
        "company": "Russo Interiors",
    },
    {
        "external_id": "cus_1026",
        "email": "henrik.l@example.org",
        "name": "Henrik Lindqvist",
        "company": "Nordlys Architects",
    },
    {
        "external_id": "cus_1027",
        "email": "aoife@example.net",
        "name": "Aoife Gallagher",
        "company": "Gallagher Florists",
    },
    {
        "external_id": "cus_1028",
        "email": "callum.mcleod@example.com",
        "name": "Callum McLeod",
        "company": "Glenmore Outdoor Gear",
    },
    {
        "external_id": "cus_1029",
        "email": "r.thornton@example.org",
        "name": "Rebecca Thornton",
        "company": "Thornton & Hale Solicitors",
    },
    {
        "external_id": "cus_1030",
        "email": "hamza.qureshi@example.net",
        "name": "Hamza Qureshi",
        "company": "Qureshi Motors",
    },
    {
        "external_id": "cus_1031",
        "email": "ines.duarte@example.com",
        "name": "Inês Duarte",
        "company": "Duarte Ceramics",
    },
    {
        "external_id": "cus_1032",
        "email": "yusuf.demir@example.org",
        "name": "Yusuf Demir",
        "company": "Demir Kebab House",
    },
    {
        "external_id": "cus_1033",
        "email": "ngozi.eze@example.net",
        "name": "Ngozi Eze",
        "company": "Eze Hair Studio",
    },
    {
        "external_id": "cus_1034",
        "email": "olivia.hart@example.com",
        "name": "Olivia Hart",
        "company": "Hart & Co Bookkeeping",
    },
    {
        "external_id": "cus_1035",
        "email": "rhys.pritchard@example.org",
        "name": "Rhys Pritchard",
        "company": "Pritchard Landscaping",
    },
    {
        "external_id": "cus_1036",
        "email": "chloe.martin@example.net",
        "name": "Chloé Martin",
        "company": "Maison Martin Bakery",
    },
    {
        "external_id": "cus_1037",
        "email": "marta.nowak@example.com",
        "name": "Marta Nowak",
        "company": "Nowak Cleaning Services",
    },
    {
        "external_id": "cus_1038",
        "email": "lan.nguyen@example.org",
        "name": "Nguyễn Thị Lan",
        "company": "Pho Lan Kitchen",
    },
    {
        "external_id": "cus_1039",
        "email": "minjun.kim@example.net",
        "name": "Min-jun Kim",
        "company": "Seoul Street Studio",
    },
    {
        "external_id": "cus_1040",
        "email": "ahmed.farouk@example.com",
        "name": "Ahmed Farouk",
        "company": "Farouk IT Services",
    },
    {
        "external_id": "cus_1041",
        "email": "hannah.goldberg@example.org",
        "name": "Hannah Goldberg",
        "company": "Goldberg Psychotherapy",
    },
    {
        "external_id": "cus_1042",
        "email": "diego.paredes@example.net",
        "name": "Diego Paredes",
        "company": "Paredes Transportes",
    },
    {
        "external_id": "cus_1043",
        "email": "isabella.costa@example.com",
        "name": "Isabella Costa",
        "company": "Costa Bridal",
    },
    {
        "external_id": "cus_1044",
        "email": "bjorn.eriksson@example.org",
        "name": "Björn Eriksson",
        "company": "Eriksson Timber",
    },
    {
        "external_id": "cus_1045",
        "email": "emily.carter@example.net",
        "name": "Emily Carter",
        "company": "Carter Copywriting",
    },
    {
        "external_id": "cus_1046",
        "email": "james.oconnor@example.com",
        "name": "James O'Connor",
        "company": "O'Connor Electrical",
    },
    {
        "external_id": "cus_1047",
        "email": "sarah@example.org",
        "name": "Sarah Mitchell",
        "company": "Mitchell Dog Grooming",
    },
    {
        "external_id": "cus_1048",
        "email": "liam.byrne@example.net",
        "name": "Liam Byrne",
        "company": "Byrne Brewing Co",
    },
    {
        "external_id": "cus_1049",
        "email": "aisha.bello@example.com",
        "name": "Aisha Bello",
        "company": "Bello Skincare",
    },
    {
        "external_id": "cus_1050",
        "email": "raj.patel@example.org",
        "name": "Raj Patel",
        "company": "Patel Pharmacy Supplies",
    },
    {
        "external_id": "cus_1051",
        "email": "elena.popescu@example.net",
        "name": "Elena Popescu",
        "company": "Popescu Dance School",
    },
    {
        "external_id": "cus_1052",
        "email": "d.volkov@example.com",
        "name": "Dmitri Volkov",
        "company": "Volkov Engineering Consultants",
    },
    {
        "external_id": "cus_1053",
        "email": "wei.chen@example.org",
        "name": "Wei Chen",
        "company": "Chen Bros Removals",
    },
    {
        "external_id": "cus_1054",
        "email": "noor.alamin@example.net",
        "name": "Noor Al-Amin",
        "company": "Al-Amin Textiles",
    },
    {
        "external_id": "cus_1055",
        "email": "gemma.lloyd@example.com",
        "name": "Gemma Lloyd",
        "company": "Lloyd Vintage",
    },
    {
        "external_id": "cus_1056",
        "email": "ben.adler@example.org",
        "name": "Ben Adler",
        "company": "Adler Sound Hire",
    },
    {
        "external_id": "cus_1057",
        "email": "mariam.yusuf@example.net",
        "name": "Mariam Yusuf",
        "company": "Yusuf Nursery Ltd",
    },
    {
        "external_id": "cus_1058",
        "email": "pablo.jimenez@example.com",
        "name": "Pablo Jiménez",
        "company": "Jiménez Paisajismo",
    },
    {
        "external_id": "cus_1059",
        "email": "ingrid.solberg@example.org",
        "name": "Ingrid Solberg",
        "company": "Solberg Knitwear",
    },
    {
        "external_id": "cus_1060",
        "email": "samuel.asante@example.net",
        "name": "Samuel Asante",
        "company": "Asante Auto Repairs",
    },
    {
        "external_id": "cus_1061",
        "email": "katrin.vogel@example.com",
        "name": "Katrin Vogel",
        "company": "Vogel Steuerberatung",
    },
    {
        "external_id": "cus_1062",
        "email": "marcel.girard@example.org",
        "name": "Marcel Girard",
        "company": "Girard Plomberie",
    },
]

# Customers who usually write to support in a language other than English.
_CUSTOMER_LANGUAGES: dict[str, str] = {
    "cus_1009": "de",
    "cus_1010": "de",
    "cus_1011": "de",
    "cus_1012": "es",
    "cus_1013": "es",
    "cus_1014": "es",
    "cus_1015": "fr",
    "cus_1016": "fr",
    "cus_1017": "fr",
    "cus_1036": "fr",
    "cus_1042": "es",
    "cus_1058": "es",
    "cus_1061": "de",
    "cus_1062": "fr",
}

SCENARIOS: list[dict] = [
    {
        "category": "billing",
        "priority": "critical",
        "language": "en",
        "subject": "URGENT charged 10 times!!!",
        "body": (
            "I just checked our business account and Tallyhive has taken {amount} TEN times this morning. "
            "Ten. The account is now overdrawn and supplier payments are bouncing.\n\n"
            "Fix this NOW and refund every one of them except one.\n\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm very sorry — this is a billing error on our side and I've escalated it as critical. Only "
            "one payment for invoice {invoice} should have been taken, and we have refunded the other nine "
            "in full to the original card. Refunds are processed within 2 business days and usually show on "
            "your statement within 5–10 business days. If the overdraft has cost you bank charges, send us "
            "the statement and we'll look at reimbursing them as part of putting this right.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "critical",
        "language": "en",
        "subject": "You took £6,600 from our account??",
        "body": (
            "Our annual Pro renewal should be £660 including VAT. Your invoice {invoice} says £6,600.00 and "
            "the money has already gone. That is our rent money for the month.\n\n"
            "I need this reversed today. Please call me on +44 20 7946 0871."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thank you for flagging this so quickly, and I'm sorry for the stress it has caused. Invoice "
            "{invoice} was created with the wrong quantity; I've voided it, issued a credit note and started "
            "a refund of £5,940.00, the difference from your correct renewal of £660.00. Refunds are "
            "processed within 2 business days and normally reach your account within 5–10 business days. A "
            "team lead will call you on the number you gave within the hour to confirm.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "critical",
        "language": "de",
        "subject": "Mehrfachabbuchung – bitte sofort stoppen",
        "body": (
            "Hallo,\n\n"
            "seit gestern Abend wurde unsere Firmenkreditkarte 8-mal mit {amount} belastet (Rechnung "
            "{invoice}). Die Bank hat die Karte jetzt gesperrt und wir können keine Lieferanten mehr "
            "bezahlen.\n\n"
            "Bitte stoppen Sie das sofort und erstatten Sie die doppelten Beträge.\n\n"
            "Mit freundlichen Grüßen\n"
            "{name}"
        ),
        "reply": (
            "Hallo {name},\n\n"
            "es tut uns sehr leid – das ist ein Fehler auf unserer Seite. Wir haben die automatischen "
            "Zahlungsversuche für Ihr Konto gestoppt und die sieben doppelten Abbuchungen zu Rechnung "
            "{invoice} vollständig erstattet. Die Erstattung wird innerhalb von 2 Werktagen veranlasst und "
            "ist in der Regel nach 5–10 Werktagen auf Ihrer Karte sichtbar. Ihr Tallyhive-Konto bleibt in "
            "der Zwischenzeit uneingeschränkt nutzbar.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "high",
        "language": "en",
        "subject": "Account read-only, need to invoice today",
        "body": (
            "Hi, we got put into read only mode because a card payment failed (the card expired, my fault). "
            "I've put the new card in but it STILL says read-only and I have 3 invoices that have to go out "
            "before 5pm today. What do I do??"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Adding a new card doesn't pay the open invoice by itself. Go to Settings → Billing → Payment "
            'method and click "Retry payment now"; if your bank asks for a 3-D Secure check, complete it '
            "while you're logged in. Once the payment goes through, full access comes back within a few "
            "minutes and you can send your invoices. If the retry fails, reply here and I'll look at it "
            "straight away.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "high",
        "language": "en",
        "subject": "Charged after cancelling",
        "body": (
            "I cancelled our subscription on {date} and got the confirmation email. Today there's another "
            "charge of {amount} from Tallyhive on the card. Please refund this, I did everything right."
        ),
        "reply": (
            "Hi {name},\n\n"
            "You're right — I can see your cancellation, and the charge on invoice {invoice} should not have "
            "been taken. I've refunded it in full to the original card and a credit note is on its way by "
            "email. Refunds are processed within 2 business days and normally appear on your statement "
            "within 5–10 business days. You won't be charged again, and your data stays available read-only "
            "for 90 days if you need to export anything.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "high",
        "language": "en",
        "subject": "annual renewal we didnt want",
        "body": (
            "hello, tallyhive just renewed us for a whole year ({amount}) but we are closing the business at "
            "the end of next month. the renewal was 3 days ago. can we get this back?? we only need it for a "
            "few more weeks\n\n"
            "thanks {name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Because the renewal was less than 14 days ago, you're entitled to a full refund of the annual "
            "payment. If you still need Tallyhive for a few more weeks, I can refund invoice {invoice} and "
            "move you to monthly billing from today, so you only pay for the months you use — just reply to "
            "confirm. When you're ready to close, cancel at Settings → Billing → Cancel subscription; the "
            "account then stays read-only for 90 days so you can export everything for your records.\n\n"
            "— Tallyhive Support"
        ),
        "amounts": ["£144.00", "£336.00", "£660.00"],
    },
    {
        "category": "billing",
        "priority": "high",
        "language": "en",
        "subject": "Double charged this month",
        "body": (
            "We've been charged twice for our Growth plan this month — two payments of {amount} on {date}. "
            "One invoice number is {invoice}, I can't find the other one in the billing history. Please sort "
            "it out."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thanks for the details. The second payment was taken by an automatic retry that ran after your "
            "first payment had already gone through, so it's a billing mistake on our side. I've refunded it "
            "in full; it should reach your card within 5–10 business days, and the credit note is now in "
            "Settings → Billing → Billing history. Sorry for the hassle.\n\n"
            "— Tallyhive Support"
        ),
        "amounts": ["£33.60"],
    },
    {
        "category": "billing",
        "priority": "high",
        "language": "en",
        "subject": "Card keeps getting declined, account locks in 2 days",
        "body": (
            "Hello,\n\n"
            "We received an email saying our account will become read-only in two days. Our card is being "
            "declined because our bank treats you as a foreign merchant and blocks recurring payments. We "
            "run payroll through you on Friday, so please don't lock us out.\n\n"
            "Regards,\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thanks for getting in touch before the deadline. Our payments are processed in the UK, so "
            "please ask your bank to allow recurring payments to Tallyhive, or add a different card at "
            'Settings → Billing → Payment method. Then click "Retry payment now" on the same page to pay '
            "invoice {invoice} straight away, and full access is kept. If neither is possible before the "
            "deadline, reply here and we'll find another way to take the payment so payroll isn't "
            "affected.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "en",
        "subject": "Refund for annual Pro bought last week",
        "body": (
            "Hi there,\n\n"
            "I upgraded us to Pro annual on {date} because I thought single sign-on was included in Growth "
            "and that's the only reason we needed it. Turns out we don't need Pro for anything else. Could I "
            "get a refund and go back to Growth monthly?\n\n"
            "Best,\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "No problem — annual payments can be fully refunded within 14 days, and you're inside that "
            "window. I've refunded invoice {invoice} and moved the account back to Growth on monthly "
            "billing. As Growth doesn't include single sign-on, please make sure everyone on the team has "
            "set a password before SSO is switched off.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "en",
        "subject": "Downgrade mid-year – do we get money back?",
        "body": (
            "We're on Pro annual but half the team has left. If I downgrade to Growth now, do we get a "
            "refund for the rest of the year or is that money just lost?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "On an annual plan a downgrade takes effect immediately, and the unused difference between Pro "
            "and Growth is added to your account as prorated credit. The credit is used automatically "
            "against your future Tallyhive invoices, including your next renewal, but it isn't paid back to "
            "the card. Before downgrading you'll need to be at 5 users or fewer and switch off single "
            "sign-on; then go to Settings → Billing → Plan → Change plan.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "en",
        "subject": "VAT charged even though we have a VAT number",
        "body": (
            "Hello,\n\n"
            "Our accountant noticed that your last few invoices don't show our VAT number and that we were "
            "charged VAT, although we are a German company with a valid USt-IdNr. Can you fix this and "
            "reissue the invoices please? The latest one is {invoice}.\n\n"
            "Thanks,\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Once a valid EU VAT number is on the account, we don't charge VAT and your invoices show "
            '"Reverse charge". Please add it at Settings → Billing → Company details → Tax ID, including '
            "the DE prefix — it's checked against VIES within a few seconds. As soon as it validates, I'll "
            'reissue {invoice} and the other affected invoices from the last 12 months with a "-R" suffix '
            "and refund the VAT we charged.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "es",
        "subject": "Factura a nombre de la empresa",
        "body": (
            "Hola,\n\n"
            "necesito que la factura {invoice} salga a nombre de mi empresa y no a mi nombre personal, y con "
            "el NIF correcto. Mi gestor me la pide para cerrar el trimestre. ¿Se puede cambiar?\n\n"
            "Gracias,\n"
            "{name}"
        ),
        "reply": (
            "Hola, {name}:\n\n"
            "Sí, se puede. Primero actualice el nombre de la empresa y el número fiscal en Settings → "
            "Billing → Company details; los cambios se aplican a las facturas nuevas. Después responda a "
            "este mensaje y le reemitiremos la factura {invoice} con los datos correctos, con el mismo "
            "número y el sufijo «-R». Podemos reemitir cualquier factura de los últimos 12 meses.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "en",
        "subject": "Switching to annual – do I lose this month?",
        "body": (
            "If I switch from monthly to annual today, do I lose what I already paid for this month? We're "
            "on Growth."
        ),
        "reply": (
            "Hi {name},\n\n"
            "You don't lose it. When you switch at Settings → Billing → Plan → Switch to annual, we credit "
            "the unused part of this month and charge £280 plus VAT minus that credit. Your renewal date "
            "becomes one year from today, and annual billing works out at two months free compared with "
            "paying monthly.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "en",
        "subject": "payment fails every month then works",
        "body": (
            "Every single month the payment fails the first time and then goes through on the retry a few "
            "days later. Our bank says they don't see any declines. It's annoying getting the \"payment "
            "failed\" emails, makes our finance team nervous. This month's invoice was {invoice}."
        ),
        "reply": (
            "Hi {name},\n\n"
            "This pattern usually means your bank asks for a 3-D Secure confirmation on the first attempt, "
            "which can't be completed when nobody is logged in, and then lets the later retry through. "
            "Because the bank is asking for authentication rather than declining, they may not see it as a "
            'decline. Next month, try clicking "Retry payment now" at Settings → Billing → Payment method '
            "while you're logged in, or ask your bank to mark Tallyhive as a trusted merchant. If you move "
            "to annual billing on Growth or Pro, you can also pay by bank transfer instead.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "medium",
        "language": "en",
        "subject": "Tax on our invoice – we're in Canada",
        "body": (
            "Hi, we are a company based in Toronto. Why is there a tax line on our Tallyhive invoice "
            "{invoice}? We didn't expect to pay UK VAT."
        ),
        "reply": (
            "Hi {name},\n\n"
            "You're right that we don't charge VAT to customers outside the UK and EU. This happens when the "
            "billing address on the account is still set to the UK, so please check Settings → Billing → "
            "Company details and update the country. Once that's saved, I'll reissue {invoice} without the "
            "tax line and refund the tax amount to your card.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "en",
        "subject": "receipts for last year",
        "body": "hi where can i download all our receipts from last year for the accountant? ta",
        "reply": (
            "Hi {name},\n\n"
            'Go to Settings → Billing → Billing history, click "Download all" and choose last year\'s date '
            "range — you'll get a ZIP of every invoice, and paid invoices double as receipts. If your "
            "accountant should receive them automatically in future, add their email under Settings → "
            "Billing → Billing contacts; they don't need a Tallyhive login.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "en",
        "subject": "Can we pay by bank transfer?",
        "body": (
            "Good afternoon,\n\n"
            "Our finance policy doesn't allow company cards for software subscriptions. Would it be possible "
            "to pay by bank transfer instead? We are looking at the Growth plan, paid annually.\n\n"
            "Kind regards,\n"
            "{name}"
        ),
        "reply": (
            "Good afternoon {name},\n\n"
            "Yes — on annual Growth and Pro plans we can invoice you for payment by bank transfer. Reply "
            "with the plan you'd like and your company details, and we'll send an invoice with our bank "
            "details and 14-day payment terms.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "en",
        "subject": "Cost of extra payroll employees",
        "body": "We have 12 staff. Growth says payroll for up to 10. What does it cost for the other 2?",
        "reply": (
            "Hi {name},\n\n"
            "Each employee above the 10 included on Growth costs £1.50 per month, so 2 extra employees add "
            "£3.00 a month plus VAT to your bill. It's worked out automatically from the number of active "
            "employees, and you can see your usage at Settings → Billing → Plan. If you grow a lot, Pro "
            "includes payroll for up to 50 employees.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "en",
        "subject": "Send invoices to accounts team",
        "body": "Please send your invoices to our accounts mailbox rather than to me. Thank you!",
        "reply": (
            "Hi {name},\n\n"
            "You can set this up yourself at Settings → Billing → Billing contacts — add the accounts "
            "mailbox there (up to 5 addresses). Billing contacts receive invoices, receipts and payment "
            "notices without needing a Tallyhive login. As the account owner you'll keep receiving them "
            "too.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "fr",
        "subject": "Prix HT ou TTC ?",
        "body": (
            "Bonjour,\n\n"
            "est-ce que les prix affichés sur votre site sont HT ou TTC ? Je suis auto-entrepreneur en "
            "France et je n'ai pas de numéro de TVA intracommunautaire.\n\n"
            "Merci d'avance,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Les prix affichés sur notre site sont hors taxes. Comme vous n'avez pas de numéro de TVA "
            "intracommunautaire, nous appliquons la TVA française, et le prix TTC en euros s'affiche au "
            "moment du paiement et dans Settings → Billing → Plan. Si vous obtenez un numéro plus tard, "
            "ajoutez-le dans Settings → Billing → Company details → Tax ID pour passer en autoliquidation "
            "sur les factures suivantes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "en",
        "subject": "Charity discount?",
        "body": "Do you offer any discount for registered charities? We're a small community food bank.",
        "reply": (
            "Hi {name},\n\n"
            "We don't have a separate charity price at the moment, but annual billing on any plan gives you "
            "two months free compared with paying monthly. I've also added your vote to the charity pricing "
            "idea on our roadmap board, so you'll get an email if that changes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "critical",
        "language": "en",
        "subject": "PAYROLL FAILED - PAYDAY TODAY",
        "body": (
            'Our payroll run for today shows "PR-402 Funding not received". 14 staff are expecting their '
            "wages TODAY. The direct debit was definitely funded, I have the bank statement in front of "
            "me.\n\n"
            "Please call me immediately on +44 20 7946 0954.\n\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I've picked this up as critical and our payroll team is checking the direct debit collection "
            "with the bank right now; we'll call you on the number you gave within the hour. If the salaries "
            "can't be released through Tallyhive in time, you can still pay your staff today by manual bank "
            "transfer using the net amounts on Payroll → Runs → this run → Payslips. Then mark the run as "
            '"Paid outside Tallyhive" so your records and filings stay correct. We\'ll update you at least '
            "every 2 hours until this is resolved.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "critical",
        "language": "en",
        "subject": "Payroll won't approve – staff paid tomorrow",
        "body": (
            "Trying to approve this month's payroll and I'm getting PR-204 Invalid bank details for 6 of our "
            "9 employees. NOTHING has changed since last month! Payday is tomorrow. What is going on?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry for the worry — a bank-validation update wrongly rejected some valid account numbers "
            "this morning, and it has now been fixed. Please open the run and click Approve again; the 6 "
            "employees should pass. Because the run is being approved less than 2 business days before "
            "payday, the bank payment may land 1 business day late, so if timing matters you can pay those "
            'employees by manual transfer from the payslip amounts and mark the run "Paid outside '
            'Tallyhive". If anything still fails, call the payroll line on +44 20 7946 0123.\n\n'
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "critical",
        "language": "en",
        "subject": "Nobody can access Tallyhive - 502",
        "body": (
            "Since about 9:10 everyone in our office gets this:\n\n"
            "502 Bad Gateway\n"
            "nginx\n\n"
            "Month-end close is today. Is it down??"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thank you for reporting this. We're experiencing a major outage affecting the web app; it's "
            "posted on status.tallyhive.example.com with updates at least every 30 minutes, and you can "
            "subscribe there for notifications. Your data is safe, and any invoice emails and webhooks are "
            "queued and will be sent once service recovers. I'll reply here as soon as the app is back.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "critical",
        "language": "en",
        "subject": "Invoices sent to the WRONG customers",
        "body": (
            "Something has gone badly wrong. We bulk-sent 40 invoices this morning and customers are ringing "
            "us to say they received OTHER customers' invoices, with names and addresses on them. This is a "
            "data breach for us.\n\n"
            "Stop all sending on our account now. Then tell me what happened.\n\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I've escalated this as critical to our engineering and security teams and paused outgoing "
            "invoice emails on your account, so nothing further will be sent. We're checking the send log "
            "for each of the 40 invoices to confirm exactly which customer received which document, and "
            "we'll send you that list within the hour so you can assess your obligations. Please don't "
            "resend anything until we've confirmed the cause.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "Bank feed not updating for days (BF-203)",
        "body": (
            'The feed for our Northgate Bank current account has shown "BF-203 Bank unavailable" since '
            "{date}. We need to reconcile for the VAT return that's due next week. Is it us or them?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "BF-203 means the bank's connection is unavailable, so there's nothing wrong on your side. "
            "Northgate Bank's open banking service has had intermittent problems this week — it's listed "
            "under bank feeds on status.tallyhive.example.com — and we retry automatically, so missing "
            "transactions will arrive once it recovers. If you need to reconcile before then, import a "
            "statement at Banking → the account → Import statement, covering only dates after the last feed "
            "transaction so you don't create duplicates.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "None of our invoice emails are arriving",
        "body": (
            "Since yesterday none of our customers are getting our invoices. The activity on every invoice "
            'says "Bounced – blocked by policy". We moved our DNS to a new provider last week if that '
            "matters."
        ),
        "reply": (
            "Hi {name},\n\n"
            "That's very likely the cause: the SPF and DKIM records for your custom sending domain didn't "
            "move with the DNS change, so receiving servers now reject the emails. Go to Settings → Invoices "
            "→ Email settings → Sending domain, add the records shown there at your new DNS provider and "
            "click Verify (DNS changes can take up to 48 hours). Once it verifies, resend the bounced "
            "invoices from each invoice's Activity, or send the Share link in the meantime if anything is "
            "urgent.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "Cartwheel orders stopped syncing",
        "body": (
            "No orders from our Cartwheel shop have come through since {date}. Integrations page says "
            '"CW-401 Store access revoked". We didn\'t revoke anything?? Month end is Friday.'
        ),
        "reply": (
            "Hi {name},\n\n"
            "CW-401 appears when Tallyhive's access is removed in Cartwheel's app settings or when the store "
            "owner's Cartwheel password changes — the second is the usual cause. Click Reconnect at Settings "
            "→ Integrations → Cartwheel and approve access again. Orders since {date} will then sync on the "
            "next run (every 15 minutes), or straight away if you click Sync now.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "API returning 429 during migration",
        "body": (
            "Hi team,\n\n"
            "We're migrating ~40k invoices from our old system via the API and keep getting:\n\n"
            "HTTP/1.1 429 Too Many Requests\n"
            "X-RateLimit-Limit: 120\n"
            "X-RateLimit-Remaining: 0\n"
            "Retry-After: 41\n\n"
            "We need this finished by the weekend. Can you lift the limit for us?\n\n"
            "Cheers,\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "You're on Growth, which allows 120 requests per minute per token, so the 429 with Retry-After "
            "is the limit working as designed. The quickest fix is the bulk endpoint, which creates up to 50 "
            "invoices per request — that turns 40,000 invoices into about 800 requests — and waiting the "
            "Retry-After seconds whenever you do get a 429. Temporary increases for migrations are only "
            "available on Pro with 3 business days' notice, but with bulk requests you shouldn't need "
            "one.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "Webhook endpoint disabled – missed payments",
        "body": (
            "Got an email saying our webhook endpoint has been disabled. Our order system relies on "
            "invoice.paid events and we've now missed 3 days of payments. How do we get them back?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "We disable an endpoint after 3 days of failed deliveries, and the Delivery log at Settings → "
            "Developers → Webhooks shows your server was timing out. Once it's fixed (it needs to return a "
            "2xx within 10 seconds), click Enable and then use Delivery log → Replay to resend the missed "
            "events; anything from the last 30 days can be replayed. Use the event_id to skip events you've "
            "already processed.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "every pdf gives PDF-500",
        "body": (
            'every pdf gives "PDF-500: could not render document". cant send invoices to customers. '
            "changed the logo yesterday if thats relevant"
        ),
        "reply": (
            "Hi {name},\n\n"
            "The new logo is almost certainly the cause — PDF-500 happens when the template contains an "
            "image we can't read. Please upload it again at Settings → Invoices → Templates → Branding as a "
            "PNG or JPG under 2 MB (SVG and HEIC aren't supported); 600 × 200 pixels works best. PDFs will "
            "generate normally straight after, and you can confirm the logo is the problem by switching "
            "temporarily to the Classic template.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "fr",
        "subject": "Flux bancaire déconnecté (BF-101)",
        "body": (
            "Bonjour,\n\n"
            "notre flux bancaire affiche l'erreur BF-101 depuis ce matin et plus aucune transaction "
            "n'arrive. Nous devons faire le rapprochement avant la clôture de vendredi. Que faut-il faire "
            "?\n\n"
            "Cordialement,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "L'erreur BF-101 signifie que le consentement open banking a expiré : les banques exigent un "
            "renouvellement tous les 90 jours. Allez dans Banking → Bank accounts, cliquez sur « Reconnect "
            "», connectez-vous à votre banque et validez l'accès. Les transactions manquantes seront ensuite "
            "récupérées automatiquement, jusqu'à 90 jours en arrière.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "Customers can't pay invoices by card",
        "body": (
            'Since this morning our customers get "This payment could not be processed" when they click '
            "Pay now on our invoices. Three have emailed us already. We rely on card payments for most of "
            "our income, please help."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Your Paystream account has paused card payments because it needs updated identity documents for "
            "the business owner; you'll see the message at Settings → Payments → Paystream. Once you upload "
            "them, Paystream usually reviews within 1 business day and the Pay now button starts working "
            "again. We can't release the pause ourselves, but I'm happy to go through the message with you "
            "if anything in it is unclear. In the meantime your customers can still pay by bank transfer "
            "using the details on the invoice.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Everything doubled after CSV import",
        "body": (
            "I imported a CSV statement for March and now every transaction is in there twice. The balance "
            "is double. How do I undo this without deleting hundreds of lines by hand?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "This happens when a statement overlaps with dates the bank feed had already fetched. Go to "
            "Banking → Import history, find the March import and click Undo import — it removes every "
            "unreconciled transaction from that file in one go, and works for up to 30 days. If some of them "
            'are already reconciled, use the "Possible duplicates" filter on the transaction list to '
            "unreconcile and delete those individually.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "CSV import: Row 14 invalid date",
        "body": (
            'Trying to import our statement and I get "Row 14: invalid date". Row 14 looks fine to me: '
            "04/13/2024. Our bank is in the US if that helps."
        ),
        "reply": (
            "Hi {name},\n\n"
            "04/13/2024 is month-first, so the file needs the MM/DD/YYYY format; the mapping is set to "
            "DD/MM/YYYY, which is why row 14 is the first row that fails (there's no month 13). The import "
            "stops at the first error, so nothing was added — upload the file again, choose MM/DD/YYYY on "
            "the mapping step and check the preview before clicking Import.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Boxes instead of letters on PDF",
        "body": (
            "Hello, the invoice PDF shows boxes instead of ł, ś and ź in customer names and addresses. On "
            "screen everything is fine, only the PDF is wrong. Example: {invoice}.\n\n"
            "Thanks\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            'Please turn on "Extended character font" at Settings → Invoices → Templates → Fonts; the '
            "standard fonts don't include every Polish character. Then open {invoice} and click Regenerate "
            "PDF to get a corrected copy. PDFs already sent keep the old version, so resend the invoice if "
            "your customer needs the fixed one.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Logo stretched, invoice now 2 pages",
        "body": (
            "Uploaded our new logo and now it's huge, stretched and every invoice spills onto a second page. "
            "Help!"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Tall or very large images push the invoice layout down. We recommend a landscape logo of about "
            "600 × 200 pixels, as a PNG or JPG under 2 MB. Resize it and upload it again at Settings → "
            "Invoices → Templates → Branding; new PDFs will use it straight away, and you can click "
            "Regenerate PDF on any invoice you need to resend.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "App crashes when I take a receipt photo",
        "body": (
            "Every time I tap the camera to add a receipt, the app just closes. Samsung phone, Android 13, "
            "latest version of the app from Play Store. Very frustrating as I have a pile of receipts to do."
        ),
        "reply": (
            "Hi {name},\n\n"
            "This is usually a permissions issue. In your phone's Settings → Apps → Tallyhive → Permissions, "
            'allow Camera, Photos and "Files and media", then try again. If it still closes, clear the '
            "app's cache (not its data, as unsynced receipts would be lost) and send us a crash log from "
            "Profile → Help → Send diagnostics. You can also upload receipts from the web app at "
            "app.tallyhive.example.com in the meantime.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Invoice total 1p different from customer's system",
        "body": (
            "Our customer's purchase ledger says our invoice {invoice} is out by 1p. They calculate VAT on "
            "the total, we seem to calculate per line. Who is right? They won't pay until it matches."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Both methods are valid. Tallyhive rounds tax per line by default, while your customer "
            "calculates it on the invoice total, and the two can differ by a penny or two. If most of your "
            "customers expect the total method, change it at Settings → Taxes → Rounding. The setting "
            "applies to new invoices, so for {invoice} you could issue a 1p credit note or agree the "
            "difference with your customer.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Relaymark didn't update the client address",
        "body": (
            "Our sales guy updated a client's billing address in Relaymark last week, but Tallyhive still "
            "has the old address on the invoices. I thought the integration synced contacts both ways?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "It does, but billing address and tax number are the exception: if they've changed in both "
            "systems since the last sync, Tallyhive's version wins, because these appear on legal documents. "
            "You'll find the conflict listed under Settings → Integrations → Relaymark → Sync log. Update "
            "the address on the contact in Tallyhive and it will sync back to Relaymark within 30 "
            "minutes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "de",
        "subject": "Doppelte Umsätze nach Neuverbindung",
        "body": (
            "Hallo,\n\n"
            "nachdem ich unser Bankkonto wegen Fehler BF-101 neu verbunden habe, sind viele Umsätze vom "
            "letzten Monat doppelt da. Wie kann ich die löschen, ohne die schon abgeglichenen Buchungen "
            "kaputt zu machen?\n\n"
            "Danke und Gruß\n"
            "{name}"
        ),
        "reply": (
            "Hallo {name},\n\n"
            "das passiert, wenn beim Neuverbinden ein früheres Startdatum gewählt wurde. Öffnen Sie Banking "
            "→ das Konto → Transactions und nutzen Sie den Filter „Possible duplicates“: Wenn eine der "
            "beiden Buchungen bereits abgeglichen ist, behalten Sie diese und klicken bei der anderen auf "
            "„Delete duplicate“. Gelöschte Buchungen liegen noch 30 Tage unter Banking → Deleted, falls Sie "
            "etwas wiederherstellen müssen.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "PR-310 filing rejected",
        "body": (
            'We ran payroll and the staff were paid fine, but the run shows "PR-310 Filing rejected". The '
            'HMRC message says "National Insurance number does not match". What do I do?'
        ),
        "reply": (
            "Hi {name},\n\n"
            "Your employees' payments aren't affected — only the filing was rejected. Check the National "
            "Insurance number on the employee's record at Payroll → Employees → the employee → Tax, making "
            'sure it matches their name exactly as HMRC holds it. Then open the run and click "Resubmit '
            'filing".\n\n'
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "iPad app crashes on start after update",
        "body": (
            "After updating the app last night it crashes immediately when I open it on my iPad. It's an "
            "older iPad, iOS 15.7. Worked fine before."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry about that — the app now needs iOS 16 or later, and iOS 15 devices aren't supported "
            "any more, which is why it crashes after the update. Everything in the app is available at "
            "app.tallyhive.example.com in Safari on the same iPad, including receipt upload. If your iPad "
            "can update to iOS 16, the app will work again after the update.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Bank feed reconnect every few months?",
        "body": (
            "Our feed stopped again with BF-101. Do I really have to reconnect it every few months? It "
            "happened in the spring too."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Yes, unfortunately — banks require open banking consent to be renewed every 90 days, so this "
            "isn't something we can switch off. We email you 7 days before consent expires, and reconnecting "
            "takes a minute: click Reconnect on Banking → Bank accounts and approve access at your bank. Any "
            "transactions from the gap are fetched automatically.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "low",
        "language": "en",
        "subject": "Webhook signature – raw body or JSON?",
        "body": (
            "Before we go live: is the X-Tallyhive-Signature computed over the raw request body or the "
            "parsed JSON? Our test signatures don't match."
        ),
        "reply": (
            "Hi {name},\n\n"
            "It's an HMAC-SHA256 of the raw request body, using the endpoint's signing secret. If you parse "
            "and re-serialise the JSON before verifying, whitespace and key order change and the signature "
            "won't match. Also reject requests whose X-Tallyhive-Timestamp is more than 5 minutes old, and "
            'use "Send test event" in Settings → Developers → Webhooks to check your code.\n\n'
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "low",
        "language": "en",
        "subject": "Cartwheel: invoice per order or daily summary?",
        "body": (
            "We're about to connect our Cartwheel store. We do about 300 orders a month. Should we choose "
            "one invoice per order or the daily summary?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "At around 300 orders a month, one invoice per order works well and makes it easy to find a "
            "specific sale. The daily summary is better for busy stores and is required above 5,000 orders a "
            "month. You can import orders from up to 12 months back when you connect, and refunds come "
            "through as credit notes either way.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "low",
        "language": "en",
        "subject": "How often do bank feeds update?",
        "body": (
            "quick question, how often does the bank feed pull in new transactions? sometimes stuff from "
            "yesterday isn't there"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Feeds refresh up to four times a day, and you can refresh manually from Banking → the account → "
            "Refresh once every 30 minutes. Card payments only appear once your bank settles them, which "
            "usually takes 1–3 business days, so that's probably what you're seeing.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "low",
        "language": "en",
        "subject": "Status updates by text?",
        "body": "Can I get notified when Tallyhive has problems instead of finding out when things break?",
        "reply": (
            "Hi {name},\n\n"
            "Yes — go to status.tallyhive.example.com and click Subscribe. You can get updates by email, "
            "text message, RSS or webhook, and choose just the components you care about, such as bank feeds "
            "or payroll.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "low",
        "language": "es",
        "subject": "Formato de fecha en la importación",
        "body": (
            "Hola, ¿qué formatos de fecha acepta la importación de extractos en CSV? Mi banco exporta las "
            "fechas como 2024-03-15.\n\n"
            "Un saludo,\n"
            "{name}"
        ),
        "reply": (
            "Hola, {name}:\n\n"
            "Ese formato funciona perfectamente: al asignar las columnas puede elegir DD/MM/YYYY, MM/DD/YYYY "
            "o YYYY-MM-DD, y para su banco debe elegir YYYY-MM-DD. Recuerde guardar el archivo como CSV "
            "UTF-8, con un máximo de 5 MB y 5.000 filas por archivo.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "low",
        "language": "en",
        "subject": "What does the Merchant fees line mean?",
        "body": (
            'After connecting Paystream I see a "Merchant fees" entry on each payout. Is that Tallyhive '
            "charging us extra?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "No — card fees are charged by Paystream, our payments partner, not by Tallyhive. We post them "
            "to the Merchant fees account so each payout reconciles automatically with what arrives in your "
            "bank, which is normally 2 business days after the customer pays.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "critical",
        "language": "en",
        "subject": "Need e-invoicing by Monday or we lose our biggest client",
        "body": (
            "Our largest client is a public-sector body and they've just told us that from Monday they will "
            "only accept e-invoices in the structured national format through their portal. PDF will be "
            "rejected. If we can't send it we can't bill them, and that is 40% of our revenue.\n\n"
            "Does Tallyhive do this? If not, what can we do before Monday?\n\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry — Tallyhive can't produce structured e-invoices yet, and I don't want to promise a "
            "date we can't keep. E-invoicing is a compliance request, so it's tracked separately and "
            "prioritised with our product team, and I've added your deadline and use case to it today. For "
            "Monday, the practical route is to export the invoice data from the invoice page or the API and "
            "convert it with an e-invoicing service that submits to the portal; I'm happy to help you pull "
            "the right fields out.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "high",
        "language": "en",
        "subject": "German e-invoice format (XRechnung/ZUGFeRD)",
        "body": (
            "We're a German GmbH. From next year we have to be able to issue e-invoices for B2B in a "
            "structured format. Does Tallyhive support XRechnung or ZUGFeRD? If not, is it planned? "
            "Otherwise we'll need to look at moving, which we'd rather not do."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Not yet, but it's on our roadmap as \"Planned\", and because it's a legal requirement it's "
            "prioritised ahead of ordinary feature requests. I've added your vote and your deadline, so "
            "you'll get an email as soon as the status changes to In progress or Shipped. We don't give "
            "dates until work has started, but I'll make sure the team knows this decides whether customers "
            "like you can stay.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "high",
        "language": "en",
        "subject": "New statutory leave type from April",
        "body": (
            "From April there's a new type of statutory leave employers have to pay. Will Tallyhive payroll "
            "support it in time? Two of our staff are eligible."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Yes — payroll changes required by law are always prioritised, and this one is already in "
            "progress for the April tax year. We'll announce it in the changelog on the roadmap board and "
            "email payroll customers before the first affected pay date. If your employees' leave starts "
            "before the update is live, contact us and we'll help you record the payments correctly.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "medium",
        "language": "en",
        "subject": "Payroll reports via the API",
        "body": (
            "We'd like to pull payroll summary data into our BI tool via the API. At the moment I export a "
            "CSV by hand every month, which is tedious. Any plans?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "There isn't a payroll reports endpoint yet, but it's an existing idea on our roadmap board and "
            "I've added your vote. In the meantime, you can subscribe to the payroll.run.completed webhook "
            "so your tool knows when a run is finished, which at least tells you when to export. You'll get "
            "an email when the idea's status changes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "medium",
        "language": "en",
        "subject": "One extra bank feed on Growth?",
        "body": (
            "We have 4 bank accounts but Growth only allows 3 feeds. Pro is too expensive just for one extra "
            "feed. Could you let us buy a single extra feed as an add-on?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "We don't offer feeds as a separate add-on at the moment, so the options are Pro's unlimited "
            "feeds or importing statements for the fourth account by CSV, OFX or QIF at Banking → Import "
            'statement. I\'ve added your request to the "extra bank feeds on Growth" idea on our roadmap '
            "board. Our product team reviews ideas every month, and you'll get an email if its status "
            "changes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "medium",
        "language": "fr",
        "subject": "Relances par SMS",
        "body": (
            "Bonjour,\n\n"
            "serait-il possible d'envoyer les relances de factures impayées par SMS en plus de l'e-mail ? "
            "Beaucoup de nos clients artisans ne lisent pas leurs e-mails.\n\n"
            "Merci,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Merci pour cette suggestion ! Ce n'est pas possible aujourd'hui, mais l'idée existe déjà sur "
            "notre tableau de roadmap (roadmap.tallyhive.example.com) et j'y ai ajouté votre vote. L'équipe "
            "produit examine les idées chaque mois, et vous recevrez un e-mail si son statut change.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "medium",
        "language": "en",
        "subject": "Canadian GST/HST",
        "body": (
            "We've opened an office in Vancouver. Can Tallyhive handle GST/HST and PST on invoices? The "
            "automatic sales tax only seems to cover the US."
        ),
        "reply": (
            "Hi {name},\n\n"
            "You're right — automatic sales tax currently covers US addresses only. You can set up GST, HST "
            "and PST as manual tax rates at Settings → Taxes and pick them per invoice line, which covers "
            "most cases. Automatic Canadian tax is on our roadmap board, and I've added your vote so you'll "
            "hear when it moves forward.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "en",
        "subject": "dark mode pls",
        "body": "any chance of a dark mode? I do my books at night and the white screen is blinding lol",
        "reply": (
            "Hi {name},\n\n"
            "Not yet, but you're not alone — dark mode is one of the most voted ideas on our roadmap board, "
            "and I've added your vote. Until then, high contrast mode at Settings → Profile → Accessibility "
            "may be a bit easier on the eyes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "en",
        "subject": "Recurring invoices with different amounts",
        "body": (
            "Hello,\n\n"
            "we bill some clients monthly for a retainer plus hours, so the amount changes every month. "
            "Recurring invoices only seem to allow a fixed amount. It would be great if a recurring invoice "
            "could be created as a draft so I can adjust it before it goes out.\n\n"
            "Thanks,\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thanks for explaining the use case so clearly — it helps a lot. I've added it to the "
            '"recurring invoices with variable amounts" idea on roadmap.tallyhive.example.com with your '
            "vote. Our product team reviews ideas monthly, and you'll get an email if it's planned or "
            "shipped.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "en",
        "subject": "Two currencies for one customer",
        "body": (
            "Would be useful to invoice the same customer in both EUR and GBP. Right now I have to create "
            "them twice."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thanks for the suggestion. I've added your vote to the multi-currency contacts idea on our "
            "roadmap board, including your example. You'll get an email as soon as its status changes.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "es",
        "subject": "Sugerencia: facturas en catalán",
        "body": (
            "Hola,\n\n"
            "trabajamos mucho en Cataluña y algunos clientes nos piden las facturas en catalán. ¿Podrían "
            "añadir el catalán como idioma de las plantillas?\n\n"
            "Saludos,\n"
            "{name}"
        ),
        "reply": (
            "Hola, {name}:\n\n"
            "Gracias por la sugerencia. He añadido la idea de plantillas de factura en catalán a nuestro "
            "tablero de roadmap con su voto. El equipo de producto revisa las ideas cada mes y le avisaremos "
            "por correo si cambia su estado.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "en",
        "subject": "Export straight to spreadsheets",
        "body": (
            "It'd be nice to send reports straight into our shared spreadsheet instead of downloading a CSV "
            "each time."
        ),
        "reply": (
            "Hi {name},\n\n"
            'I\'ve added your vote to the "live report export" idea on our roadmap board. For now, reports '
            "can be exported as CSV, and if you have someone technical on the team, the API can pull the "
            "same data on a schedule.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "en",
        "subject": "Apple Pay on invoices?",
        "body": "Can our customers pay invoices with Apple Pay? That would be a nice feature to add.",
        "reply": (
            "Hi {name},\n\n"
            "Good news — you already can. If card payments are set up through Paystream at Settings → "
            "Payments → Paystream, the Pay now button on your invoices accepts cards and digital wallets, "
            "including Apple Pay on supported devices.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "feature_request",
        "priority": "low",
        "language": "de",
        "subject": "Wunsch: Fälligkeiten im Kalender",
        "body": (
            "Hallo Tallyhive-Team,\n\n"
            "es wäre super, wenn man die Fälligkeitstermine der Rechnungen als Kalender abonnieren könnte "
            "(z.B. iCal). Dann hätte ich alles im Blick.\n\n"
            "Viele Grüße\n"
            "{name}"
        ),
        "reply": (
            "Hallo {name},\n\n"
            "vielen Dank für die Idee! Ich habe sie mit Ihrer Stimme auf unserem Roadmap-Board "
            "(roadmap.tallyhive.example.com) eingetragen. Unser Produktteam prüft neue Ideen monatlich, und "
            "Sie erhalten eine E-Mail, sobald sich der Status ändert.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "critical",
        "language": "en",
        "subject": "STAFF NOT PAID - absolutely unacceptable",
        "body": (
            'I am furious. Your payroll "failed" and nobody told us until my staff started texting me this '
            "morning asking where their wages are. Twelve people with rent and childcare to pay. I approved "
            "the run four days ago like always.\n\n"
            "I want to know exactly what happened, I want it fixed TODAY, and I want to know what you're "
            "going to do about the bank charges my staff will get. I'm seriously considering reporting "
            "this.\n\n"
            "{name}"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm truly sorry — your staff should have been paid and we let you and them down. I've raised "
            "this as a critical complaint and I'm your named contact: our payroll team has found the payment "
            "file for your run was held by our bank partner, and it's being released now as a same-day "
            "payment. I'll confirm by 14:00 that the money has left, and we will cover reasonable bank "
            "charges your employees incur — just send us the details. You'll receive a full written "
            "explanation within 10 business days, sooner if we have it.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "critical",
        "language": "en",
        "subject": "Payroll paid TWICE",
        "body": (
            "Your system paid our entire payroll twice yesterday. That's £18,000 that has left our account "
            "and we don't have the cash to cover our supplier run this week. I've been on hold for 40 "
            "minutes. This is a disaster."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm very sorry, and I've escalated this as critical. Our payroll team has confirmed the second "
            "payment file was sent in error and is working with the bank to recall the duplicate payments "
            "that haven't yet reached your employees' accounts; I'll update you within the hour and then at "
            "least every 2 hours. For any payments that can't be recalled, we'll help you with the wording "
            "to your employees. A team lead is also reviewing why you waited so long on the phone.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "critical",
        "language": "en",
        "subject": "Locked out a week and no one answers",
        "body": (
            "A WEEK. We've been locked out of our account for a week because of your \"verification "
            "process\", I've sent every document you asked for twice, and the only replies are automated. We "
            "can't invoice, we're running out of cash and I have payroll next week. I want to speak to a "
            "manager today."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry — a week without access is far longer than it should be, and the silence is not "
            "acceptable. I've escalated your case to a team lead, who has your documents and will call you "
            "today to finish the verification. I've logged this as a formal complaint; you'll get a written "
            "response within 10 business days, and a named contact to speak to in the meantime.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "high",
        "language": "en",
        "subject": "Rude agent on chat",
        "body": (
            "I was on chat this afternoon about our bank feed and the agent was dismissive and basically "
            'told me to "read the help article" and closed the chat. I pay £55 a month for this. Not good '
            "enough."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry — that's not how we want anyone to be treated, and I've passed the chat transcript to "
            "the team lead, who will review it with the agent. I've logged this as a complaint, so you'll "
            "hear from a named person within 1 business day and get a final response within 10 business "
            "days. In the meantime, I'd like to help with the bank feed itself: could you tell me the error "
            "code shown on Banking → Bank accounts?\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "high",
        "language": "en",
        "subject": "Outage cost us a full day",
        "body": (
            "Tallyhive was down for most of {date}. We're on Pro and couldn't invoice or run our end of day. "
            "I'd like compensation. Your Pro page talks about 99.9% uptime."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry for the disruption. That outage took the web app below our 99.9% monthly uptime "
            "commitment for Pro, so you're entitled to a service credit of 10% of this month's fee, and I've "
            "applied it to your account — it'll show on your next invoice. A summary of what went wrong and "
            "what we're changing will be on status.tallyhive.example.com within 5 business days.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "high",
        "language": "en",
        "subject": "4 days and no reply",
        "body": (
            "I raised a ticket about our bank feed on Monday. It is now Friday and NOBODY has replied. Your "
            "website says 1 business day. What is the point of paying for support?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "You're right, and I'm sorry — we missed our response target, and I've flagged it to a team lead "
            "for review. I've taken your ticket myself and will reply about the bank feed within the hour. "
            "If you'd like to raise a formal complaint about the delay, just say so in your reply and I'll "
            "log it.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "high",
        "language": "es",
        "subject": "Me cobraron después de cancelar y nadie responde",
        "body": (
            "Cancelé la suscripción el {date} y me han vuelto a cobrar {amount}. He escrito dos veces y "
            "nadie me contesta. Quiero mi dinero y una explicación. Esto es una vergüenza.\n\n"
            "{name}"
        ),
        "reply": (
            "Hola, {name}:\n\n"
            "Tiene toda la razón y le pido disculpas, tanto por el cobro como por la falta de respuesta. He "
            "reembolsado el importe completo de la factura {invoice} a su tarjeta; el reembolso se procesa "
            "en 2 días hábiles y suele aparecer en 5–10 días hábiles. He registrado su queja formal: "
            "recibirá una respuesta por escrito en un plazo de 10 días hábiles.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "medium",
        "language": "en",
        "subject": "Price went up without warning",
        "body": (
            "Our monthly bill went up and I never agreed to a price increase. Pretty poor way to treat loyal "
            "customers, we've been with you 4 years."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry this came as a surprise. We emailed the account owner about the new prices more than "
            "30 days before they took effect, but I understand that email is easy to miss. If the increase "
            "is a problem, switching to annual billing saves two months a year, and annual prices stay fixed "
            "until renewal. I've also passed your feedback to our billing team.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "medium",
        "language": "en",
        "subject": "Sick of the bank feed breaking",
        "body": (
            "Honestly getting fed up. The bank feed breaks every couple of months and I have to reconnect "
            "it. Other apps don't seem to have this problem. Please fix it properly."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I understand the frustration. The reconnection is required by banking rules: banks must ask you "
            "to renew open banking consent every 90 days, for every app that uses bank feeds, so we can't "
            "remove it. What we can do is remind you — we email 7 days before consent expires, and after "
            "reconnecting, transactions from any gap are fetched automatically. I've passed on your feedback "
            "about how we present these reminders.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "medium",
        "language": "de",
        "subject": "Beschwerde: lange Wartezeit am Telefon",
        "body": (
            "Guten Tag,\n\n"
            "ich habe heute dreimal versucht, Sie telefonisch zu erreichen, und jedes Mal nach über 20 "
            "Minuten aufgegeben. Für ein Produkt, für das wir jeden Monat bezahlen, finde ich das nicht "
            "akzeptabel.\n\n"
            "{name}"
        ),
        "reply": (
            "Guten Tag {name},\n\n"
            "es tut mir leid, dass Sie so lange warten mussten – das entspricht nicht unserem Anspruch. Ich "
            "habe Ihre Rückmeldung an die Teamleitung weitergegeben, damit die Besetzung zu diesen Zeiten "
            "überprüft wird. Wie kann ich Ihnen bei Ihrem ursprünglichen Anliegen helfen? Sie können uns "
            "auch jederzeit über Help → Contact support schreiben.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "medium",
        "language": "en",
        "subject": "Chat keeps sending me articles",
        "body": (
            "Every time I open chat I get a list of help articles instead of a human. I've read them. I just "
            "want someone to look at my account."
        ),
        "reply": (
            "Hi {name},\n\n"
            'Sorry about that — the articles are meant to save time, not get in the way. Type "agent" in '
            "the chat at any time during office hours (Monday–Friday, 08:00–18:00 UK time) to go straight to "
            "a person. I've passed your feedback on, and I'm happy to look at your account now if you reply "
            "here with what's going on.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "medium",
        "language": "en",
        "subject": "Feature removed without notice",
        "body": (
            'Where has the old "quick expense" button on the dashboard gone? We used it every day and now '
            "it's gone with no warning. Not impressed."
        ),
        "reply": (
            "Hi {name},\n\n"
            'Sorry for the disruption — we moved quick expense into the "+ New" menu at the top of every '
            "page in the last release, and we should have made that clearer. You can also press N then E "
            "anywhere in the web app. I've passed your feedback to the product team, who review changes like "
            "this.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "low",
        "language": "en",
        "subject": "Too many marketing emails",
        "body": "I'm getting 3-4 marketing emails a week from you. I just want the important account stuff.",
        "reply": (
            "Hi {name},\n\n"
            "Sorry about that. You can turn off product news and offers at Settings → Profile → "
            "Notifications, or use the unsubscribe link in any marketing email. You'll still get billing, "
            "security and service emails, which we're required to send.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "low",
        "language": "en",
        "subject": "Typo on your help centre",
        "body": (
            'Small thing but the article on refunds says "recieve" twice. Not a great look for a finance '
            "company!"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Good spot, and thanks for taking the time to tell us. We've corrected the article.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "low",
        "language": "en",
        "subject": "Hold music",
        "body": (
            "Not a big deal but the hold music on your phone line is genuinely painful. 15 minutes of the "
            "same 20 seconds."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Ha — fair point, and sorry for the earworm. I've passed your feedback to the team that runs our "
            "phone line. If you'd rather skip the queue, Help → Contact support in the app reaches the same "
            "team.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "critical",
        "language": "en",
        "subject": "Someone logged in and changed our bank details",
        "body": (
            "We've just had a customer ask why our bank details changed on the invoice they received today. "
            "None of us changed them. The activity shows a login from a country we've never been to. Please "
            "help, we may have customers paying a fraudster right now."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I've treated this as critical. I've signed out every session on your account and required a "
            "password reset for all users, and our security team is reviewing the activity now. Please check "
            "Settings → Invoices → Payment details and put your correct bank details back, then warn any "
            "customer who received an invoice since the change not to pay the new account. Once you're back "
            "in, turn on two-factor authentication for every user, and we'll send you a summary of what the "
            "attacker accessed within a few hours.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "critical",
        "language": "en",
        "subject": "SSO broken – whole company locked out",
        "body": (
            "Since our identity provider rotated its certificate last night, nobody can log in. Error: "
            '"SAML response signature invalid". 30 people locked out and we have payroll approval today.'
        ),
        "reply": (
            "Hi {name},\n\n"
            "The owner can still log in with their Tallyhive password — SSO never blocks the owner's "
            "break-glass login. Once in, go to Settings → Security → Single sign-on, upload the new "
            "certificate from your identity provider and click Test connection. As soon as the test "
            "succeeds, everyone else can log in again, and payroll approval can go ahead.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "critical",
        "language": "en",
        "subject": "I gave my 2FA code to someone who called",
        "body": (
            "Someone rang me 20 minutes ago saying they were from Tallyhive security and needed to "
            '"verify" my account. I read out the code from my authenticator app. I realised afterwards it '
            "was probably a scam. What do I do?!"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thank you for telling us straight away. We never ask for 2FA codes, so please treat this as an "
            "attack: I've signed out all sessions on your account, and you should reset your password now "
            "and generate new recovery codes at Settings → Profile → Security. Then check Settings → Users & "
            "roles for anyone you don't recognise, and Settings → Invoices → Payment details for changed "
            "bank details. Our security team is reviewing recent activity and will email you within the "
            "hour.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "high",
        "language": "en",
        "subject": "Lost phone, no recovery codes, VAT due",
        "body": (
            "I'm the account owner and my phone was stolen on holiday. I don't have the recovery codes. I "
            "can't get past the 2FA screen and our VAT return is due on Friday. Please can you just turn 2FA "
            "off?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry about your phone. We can't turn off 2FA without verifying your identity, but I've "
            "started the process now — you'll get a verification email at the owner's address, and it "
            "usually completes within 2 business days. In the meantime, anyone on your account with the "
            "Admin or Accountant role, such as your accountant, can prepare and file the VAT return, so the "
            "deadline isn't at risk.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "high",
        "language": "en",
        "subject": "Remove an ex-employee's access NOW",
        "body": (
            "We had to let someone go this morning and they still have access to Tallyhive, including "
            "payroll. How do I remove them immediately? I'm not very techy."
        ),
        "reply": (
            "Hi {name},\n\n"
            'Go to Settings → Users & roles, click their name and choose "Remove user". They\'re signed out '
            "immediately, and everything they created stays in the account. Also check Settings → Developers "
            "→ API tokens for any tokens they set up and revoke them. If you get stuck, reply here and I'll "
            "walk you through it.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "high",
        "language": "en",
        "subject": "Owner has left the business",
        "body": (
            "Our former director set up Tallyhive and is the owner. He left the company suddenly and isn't "
            "answering. I'm an admin. We need to change the card and eventually ownership. How?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "We can transfer ownership when the owner is unavailable. Please send from your admin login a "
            "signed letter on company letterhead from a current director asking for the transfer to a named "
            "user, proof that the signer is a director, and the account ID from Settings → Account (it "
            "starts with TH-ACC-). We then give the current owner 5 business days to object, and the whole "
            "process usually takes about 7 business days. As an admin with billing permission, you can "
            "already update the card at Settings → Billing → Payment method.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "high",
        "language": "en",
        "subject": 'locked out "too many attempts" meeting in 10 min',
        "body": (
            "says too many attempts and locked. I have a client meeting in 10 min and need to show them the "
            "quote. can you unlock pls"
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry, we can't unlock it sooner — the lock lasts 15 minutes after 5 failed attempts, to "
            'protect you from password guessing. The quickest route is "Forgot password?" on the login '
            "page; the reset link arrives within a few minutes. If the quote has been sent before, your "
            "client can also open it from the link in their email.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "en",
        "subject": "Adding our accountant",
        "body": "How do I give our accountant access? Will it count as one of our users?",
        "reply": (
            "Hi {name},\n\n"
            "Every plan includes one free accountant seat. Go to Settings → Users & roles → Invite user, "
            "enter their email and choose the Accountant role; they get full access to accounting, reports "
            "and tax returns, but not billing or user management. The invite is valid for 7 days and can be "
            "resent from the same page.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "en",
        "subject": "Can't invite a 6th user",
        "body": (
            "Trying to invite another colleague but it says we've reached our user limit. We're on Growth "
            "and there are only 5 of us."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Growth includes 5 users plus one free accountant seat, and pending invitations count towards "
            "the limit. You can remove an unused user or expired invitation at Settings → Users & roles, or "
            "upgrade to Pro for up to 25 users. Upgrades take effect immediately and you only pay the "
            "prorated difference for the rest of this billing period.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "en",
        "subject": "Change login email after rebrand",
        "body": (
            "We've rebranded and have new email addresses. How do I change my login email without losing "
            "anything?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Go to Settings → Profile → Email address, enter the new address and your password, and click "
            "the confirmation link we send to the new address within 24 hours. Nothing else changes. Billing "
            "emails are set separately, so also update Settings → Billing → Billing contacts and the "
            "reply-to address at Settings → Invoices → Email settings.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "es",
        "subject": "Cambiar el propietario de la cuenta",
        "body": (
            "Hola,\n\n"
            "voy a jubilarme y mi hija se hará cargo del negocio. ¿Cómo le paso la titularidad de la cuenta "
            "de Tallyhive?\n\n"
            "Muchas gracias,\n"
            "{name}"
        ),
        "reply": (
            "Hola, {name}:\n\n"
            "¡Enhorabuena por la jubilación! Primero invite a su hija con el rol Admin y pídale que active "
            "la verificación en dos pasos. Después vaya a Settings → Users & roles → Transfer ownership, "
            "elíjala y confirme con su contraseña y su código; ella tendrá 7 días para aceptar. Recuerde que "
            "la tarjeta no cambia automáticamente, así que conviene que ella la actualice en Settings → "
            "Billing → Payment method.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "en",
        "subject": "SSO with Google Workspace?",
        "body": (
            "We use Google Workspace for everything. Can we log in to Tallyhive with Google SSO? We're on "
            "Growth."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Single sign-on, including Google Workspace, is part of the Pro plan, so it isn't available on "
            "Growth. If you upgrade, you can set it up at Settings → Security → Single sign-on with our "
            "step-by-step Google guide, and map Google groups to Tallyhive roles.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "en",
        "subject": "Copy of my personal data",
        "body": (
            "Under GDPR I'd like a copy of all personal data Tallyhive holds about me. I'm a user on my "
            "employer's account, not the owner."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Of course. Please email privacy@tallyhive.example.com from the address you log in with, and our "
            "privacy team will send you a copy of the personal data we hold about you within one month. Data "
            "your employer stores in their account, such as invoices, is controlled by them, so for that "
            "please ask the account owner.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "medium",
        "language": "de",
        "subject": "SMS-Code kommt nicht an",
        "body": (
            "Hallo,\n\n"
            "der SMS-Code für die Zwei-Faktor-Anmeldung kommt seit gestern nicht mehr an oder erst nach 10 "
            "Minuten, dann ist er abgelaufen. Was kann ich tun?\n\n"
            "Gruß\n"
            "{name}"
        ),
        "reply": (
            "Hallo {name},\n\n"
            "bitte prüfen Sie zuerst die Telefonnummer unter Settings → Profile → Security. Manche Netze "
            "stellen SMS mit mehreren Minuten Verzögerung zu; zuverlässiger ist eine Authenticator-App, die "
            "auch ohne Empfang funktioniert und auf derselben Seite eingerichtet werden kann. Falls Sie "
            "gerade nicht hineinkommen, können Sie sich mit einem Ihrer Wiederherstellungscodes anmelden.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "low",
        "language": "en",
        "subject": "Closing the business – delete account",
        "body": (
            "We're closing the business at the end of the year. What's the right way to close our Tallyhive "
            "account?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "First export everything at Settings → Account → Data & privacy → Export all data — in the UK "
            "you need to keep accounting records for six years. Then cancel the subscription at Settings → "
            "Billing → Cancel subscription, and when you're ready, delete the account from the same Data & "
            "privacy page. You'll have 7 days to undo the deletion, after which your data is removed within "
            "30 days.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "low",
        "language": "en",
        "subject": "Standard vs Read-only role",
        "body": (
            "What's the difference between Standard and Read-only users? Want to give our office manager "
            "access."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Standard users can create and send invoices and quotes and record expenses, but can't see "
            "payroll or reports. Read-only users can view everything except payroll but can't change "
            "anything. If your office manager needs to raise invoices, Standard is the right choice; you can "
            "change it any time at Settings → Users & roles.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "low",
        "language": "fr",
        "subject": "Changer l'adresse e-mail de connexion",
        "body": (
            "Bonjour,\n\n"
            "comment puis-je changer l'adresse e-mail que j'utilise pour me connecter ?\n\n"
            "Merci,\n"
            "{name}"
        ),
        "reply": (
            "Bonjour {name},\n\n"
            "Allez dans Settings → Profile → Email address, saisissez la nouvelle adresse et votre mot de "
            "passe, puis cliquez sur le lien de confirmation envoyé à la nouvelle adresse (valable 24 "
            "heures). Votre accès et vos données ne changent pas.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "account",
        "priority": "low",
        "language": "en",
        "subject": "Invite link expired",
        "body": "My colleague invited me last week but the link says expired.",
        "reply": (
            "Hi {name},\n\n"
            "Invitations are valid for 7 days. Ask your colleague (or any admin) to open Settings → Users & "
            "roles and click Resend next to your name; you'll get a fresh link straight away.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "critical",
        "language": "en",
        "subject": "Fake Tallyhive emails sent to our customers",
        "body": (
            "Several of our customers have received emails that look exactly like our Tallyhive invoices, "
            "but with different bank details, asking them to pay urgently. At least one has already paid. "
            "The sender address looks like tallyhive-billing something. Is your system hacked?!"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thank you for alerting us so quickly. These emails did not come from Tallyhive — our invoice "
            "emails only come from no-reply@mail.tallyhive.example.com or your own verified sending domain. "
            "Please warn all your customers straight away that your bank details have not changed, and ask "
            "the customer who paid to contact their bank immediately to try to recall the payment. Forward "
            "one of the fake emails with its full headers to security@tallyhive.example.com; our security "
            "team will work with you and can help you report it.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "critical",
        "language": "en",
        "subject": 'Fake "Tallyhive support" calls to our staff',
        "body": (
            "Three of our staff have had phone calls today from someone claiming to be Tallyhive support, "
            'asking them to read out their login codes "for a security upgrade". None of them did, but '
            "they're still calling. What's going on and what should we do?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Those calls are not from us — Tallyhive will never ask for passwords, 2FA codes or card "
            "numbers. Please tell everyone on your team not to share codes with anyone, and make sure every "
            "user has two-factor authentication turned on. Send the numbers and times of the calls to "
            "security@tallyhive.example.com so our security team can investigate and warn other "
            "customers.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "high",
        "language": "en",
        "subject": "Is this email from you?",
        "body": (
            'Got an email "Tallyhive: confirm your card to avoid suspension" with a link to a page asking '
            "for my full card number. Looks a bit off. Is it real?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "No, that's a phishing email — we never ask for your full card number or password by email. "
            "Please don't click the link, and forward the email to security@tallyhive.example.com so we can "
            "get the page taken down. If you did enter anything, tell your bank straight away. Your real "
            "billing status is always at Settings → Billing.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "high",
        "language": "en",
        "subject": "Screen reader can't use the invoice editor",
        "body": (
            "I'm a blind bookkeeper and use NVDA. Since the last update I can't get to the line items in the "
            "new invoice editor — the table isn't announced at all. I can't create invoices for my clients. "
            "Please treat this as urgent."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry — that's a serious accessibility problem and we treat issues that stop you completing "
            "a task as high priority. I've reported it to our accessibility team with your details, and they "
            "will contact you within 1 business day. In the meantime, you can switch back to the previous "
            "invoice editor from the editor's menu, which works with NVDA. We'll let you know as soon as the "
            "fix is released.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "high",
        "language": "en",
        "subject": "Customer says our invoice link is a scam",
        "body": (
            "One of our customers refuses to pay and says the invoice link we sent is a scam because it goes "
            "to a \"tallyhive\" site they've never heard of. How can I prove it's legit? Payment is overdue."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Invoice links open on app.tallyhive.example.com, and the email comes from "
            "no-reply@mail.tallyhive.example.com or your own verified sending domain. You can reassure your "
            "customer by sending the PDF from the invoice page yourself, with your bank details, so they can "
            "pay without using the link. On Growth and Pro you can also set up your own sending domain so "
            "future emails come from your company's address.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "medium",
        "language": "en",
        "subject": "DPA and data location",
        "body": (
            "Our compliance team needs your Data Processing Agreement and to know where our data is stored. "
            "Can you send them?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Of course — email privacy@tallyhive.example.com and our privacy team will send the Data "
            "Processing Agreement and our list of sub-processors, which shows where data is stored and "
            "processed. If your compliance team has a questionnaire, they can send it to the same "
            "address.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "medium",
        "language": "en",
        "subject": "Support over Christmas?",
        "body": "Will support be open over Christmas and New Year? We run payroll on the 28th.",
        "reply": (
            "Hi {name},\n\n"
            "We're closed on UK bank holidays, but critical issues such as payroll failing on payday are "
            "handled 24/7, including over Christmas. Remember that payroll should be approved at least 2 "
            "business days before payday by 16:00 UK time, so with the bank holidays it's worth approving "
            "your December run a few days early.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "medium",
        "language": "de",
        "subject": "Support auf Deutsch?",
        "body": (
            "Hallo, gibt es bei Ihnen auch Support auf Deutsch? Mein Englisch ist nicht so gut für "
            "technische Sachen.\n\n"
            "Danke\n"
            "{name}"
        ),
        "reply": (
            "Hallo {name},\n\n"
            "ja, gerne! Während unserer Geschäftszeiten (Montag bis Freitag, 08:00–18:00 Uhr britischer "
            "Zeit) antworten wir auch auf Deutsch, Spanisch und Französisch, die Antwort kann dann etwas "
            "länger dauern. Schreiben Sie uns einfach über Help → Contact support oder an "
            "support@tallyhive.example.com.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "medium",
        "language": "en",
        "subject": "Large text for a visually impaired colleague",
        "body": "One of our team has low vision. Are there settings to make Tallyhive easier to read?",
        "reply": (
            "Hi {name},\n\n"
            "Yes — at Settings → Profile → Accessibility they can turn on high contrast mode, increase the "
            "text size up to 200%, reduce motion and keep focus outlines visible. The settings are saved to "
            "their profile and follow them across devices. If anything is still hard to use, they can email "
            "accessibility@tallyhive.example.com.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "low",
        "language": "en",
        "subject": "Phone number?",
        "body": "What's your phone number?",
        "reply": (
            "Hi {name},\n\n"
            "Phone support is included on Growth and Pro: +44 20 7946 0100 in the UK or +1 (212) 555-0142 in "
            "the US, Monday–Friday 08:00–18:00 UK time. On Starter you can reach us any time through Help → "
            "Contact support in the app or at support@tallyhive.example.com.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "low",
        "language": "en",
        "subject": "Just wanted to say thanks",
        "body": (
            "Not a question — just wanted to say thanks to Marcus who helped me with our payroll setup last "
            "week. Really patient and clear. Made my week!"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Thank you so much for taking the time to write — I've passed your message on to Marcus and his "
            "team lead. It really makes our day too.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "low",
        "language": "en",
        "subject": "Referral programme?",
        "body": "Do you have a referral scheme? I've recommended you to three other businesses already.",
        "reply": (
            "Hi {name},\n\n"
            "Thank you for recommending us! We don't have a referral programme at the moment, but I've "
            "passed your interest on to our team. I've also added your vote to the referral idea on our "
            "roadmap board, so you'll hear first if one launches.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "low",
        "language": "es",
        "subject": "Gracias",
        "body": "Solo quería dar las gracias, ya funciona todo. ¡Muy amables!\n\n{name}",
        "reply": (
            "Hola, {name}:\n\n"
            "¡Muchas gracias por su mensaje! Nos alegra que ya funcione todo. Si necesita algo más, "
            "escríbanos cuando quiera.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "low",
        "language": "en",
        "subject": "Open on Saturdays?",
        "body": "are you open saturdays",
        "reply": (
            "Hi {name},\n\n"
            "Our office hours are Monday to Friday, 08:00–18:00 UK time, so we're closed at weekends. "
            "Critical issues, such as payroll failing on payday, are still handled 24/7 — just mark your "
            "message as urgent.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "other",
        "priority": "low",
        "language": "en",
        "subject": "Managing several clients as a bookkeeper",
        "body": (
            "I'm a freelance bookkeeper with 8 small clients, all on Tallyhive. Is there a way to manage "
            "them all without separate logins?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Each client has their own Tallyhive account, but you can use the same email address and "
            "password for all of them. Ask each client to invite you with the Accountant role — it's the "
            "free accountant seat on every plan — and you can switch between accounts from the menu under "
            "your name.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "billing",
        "priority": "low",
        "language": "en",
        "subject": "Where is my invoice number?",
        "body": (
            "my finance team is asking for the invoice number for this month's payment of {amount}. where do "
            "i find it"
        ),
        "reply": (
            "Hi {name},\n\n"
            "You'll find it at Settings → Billing → Billing history; this month's payment is invoice "
            "{invoice}. Click Download PDF to send your finance team a copy, and add them under Billing "
            "contacts if they'd like to receive future invoices directly.\n\n"
            "— Tallyhive Support"
        ),
        "amounts": ["£14.40", "£33.60", "£66.00"],
    },
    {
        "category": "technical",
        "priority": "medium",
        "language": "en",
        "subject": "Payroll approved late – when will staff get paid?",
        "body": (
            "I approved payroll this morning but payday is tomorrow. Will my staff still get paid on time?"
        ),
        "reply": (
            "Hi {name},\n\n"
            "Runs need to be approved at least 2 business days before payday, by 16:00 UK time, so yours "
            "will be paid as soon as possible, usually 1 business day later than planned. If your staff must "
            "be paid tomorrow, you can pay them by bank transfer using the amounts on Payroll → Runs → this "
            'run → Payslips and mark the run as "Paid outside Tallyhive".\n\n'
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "high",
        "language": "en",
        "subject": "Tax missing on US invoices",
        "body": (
            "Our US invoices suddenly have no sales tax on some lines and there's a warning flag. We already "
            "sent a few like that. {invoice} is one example."
        ),
        "reply": (
            "Hi {name},\n\n"
            "Automatic sales tax needs a valid ZIP code on the customer's address; when it's missing, no tax "
            "is charged and the line is flagged. Open the affected contacts, add the ZIP code, and the tax "
            "will be calculated on new invoices. For invoices already sent, such as {invoice}, you can void "
            "and reissue them or send a separate invoice for the tax difference.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "technical",
        "priority": "critical",
        "language": "en",
        "subject": "Account data looks wiped",
        "body": (
            "We logged in this morning and all our invoices from the last 2 years are gone. The dashboard "
            "shows zero. Our auditor is here today. PLEASE HELP."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I've escalated this as critical. Your data is still in our systems — a display problem is "
            "affecting a small number of accounts this morning, and it's listed on "
            "status.tallyhive.example.com. Our engineers are working on it now and we'll update you at least "
            "every 2 hours. If your auditor needs figures before then, I can send you a full data export "
            "from our side within the hour.\n\n"
            "— Tallyhive Support"
        ),
    },
    {
        "category": "complaint",
        "priority": "high",
        "language": "en",
        "subject": "Charged for Pro when we never upgraded",
        "body": (
            "We've been on Growth for two years and this month you charged us {amount} for Pro. Nobody here "
            "upgraded. I want a refund and an explanation, this is the second billing mistake this year."
        ),
        "reply": (
            "Hi {name},\n\n"
            "I'm sorry — I've checked and the plan change was applied to your account in error, so I've "
            "moved you back to Growth and refunded the difference on {invoice} in full. You'll see it on "
            "your statement within 5–10 business days. Because this is the second billing mistake this year, "
            "I've logged it as a complaint and a named person will contact you within 1 business day with an "
            "explanation.\n\n"
            "— Tallyhive Support"
        ),
        "amounts": ["£66.00", "£660.00"],
    },
    {
        "category": "feature_request",
        "priority": "medium",
        "language": "en",
        "subject": "Audit log on Growth",
        "body": (
            "Our auditor wants to see who changed what in our accounts. Is there an audit log? We're on "
            "Growth."
        ),
        "reply": (
            "Hi {name},\n\n"
            "The full audit log is part of Pro, but on Growth every transaction still shows who created and "
            'last changed it. I\'ve added your vote to the "audit log on Growth" idea on our roadmap board, '
            "and your auditor can be given Read-only access to look around.\n\n"
            "— Tallyhive Support"
        ),
    },
]


def demo_tickets(*, count: int = 300, seed: int = 7) -> list[dict]:
    """Return ``count`` deterministic demo tickets built from SCENARIOS and CUSTOMERS.

    The same ``count`` and ``seed`` always give the same list. When ``count`` is at least
    ``len(SCENARIOS)`` every scenario is used at least once. With enough tickets (count >= 100
    for the default data), about a third of the customers get 3 or more tickets and the rest
    get 1 or 2. Placeholders in subject, body and reply are filled with plausible values.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    rng = random.Random(seed)

    # 1. Which scenario each ticket uses: every scenario once (shuffled), then weighted extras.
    picks = list(range(len(SCENARIOS)))
    rng.shuffle(picks)
    picks = picks[:count]
    weights = [_PRIORITY_WEIGHTS[s["priority"]] for s in SCENARIOS]
    while len(picks) < count:
        picks.append(rng.choices(range(len(SCENARIOS)), weights=weights)[0])

    # 2. How many tickets each customer has: a third are "regulars" with 3+ tickets.
    customers = list(CUSTOMERS)
    rng.shuffle(customers)
    n_regular = max(1, round(len(customers) / 3))
    regulars, occasional = customers[:n_regular], customers[n_regular:]
    slots: list[dict] = []
    if count >= 3 * n_regular + len(occasional):
        spare = count - 3 * n_regular - len(occasional)
        for customer in occasional:
            extra = 1 if spare > 0 and rng.random() < 0.45 else 0
            spare -= extra
            slots.extend([customer] * (1 + extra))
        for customer in regulars:
            slots.extend([customer] * 3)
        activity = [rng.uniform(0.5, 2.0) for _ in regulars]
        slots.extend(rng.choices(regulars, weights=activity, k=spare))
    else:
        slots = [customers[i % len(customers)] for i in range(count)]
    rng.shuffle(slots)

    # 3. Pair scenarios with customers; non-English scenarios prefer customers who write in that language.
    assigned: list[dict | None] = [None] * count
    order = sorted(range(count), key=lambda i: SCENARIOS[picks[i]]["language"] == "en")
    for i in order:
        language = SCENARIOS[picks[i]]["language"]
        pos = 0
        if language != "en":
            pos = next(
                (k for k, c in enumerate(slots) if _CUSTOMER_LANGUAGES.get(c["external_id"]) == language),
                0,
            )
        assigned[i] = slots.pop(pos)

    # 4. Build the tickets, oldest first, and number them in that order.
    drafts = []
    for i in range(count):
        scenario = SCENARIOS[picks[i]]
        customer = assigned[i]
        language = scenario["language"]
        days_ago = round(rng.uniform(0.0, 60.0), 4)
        is_cjk = any("\u3040" <= ch <= "\u9fff" for ch in customer["name"])
        first_name = customer["name"] if is_cjk else customer["name"].split()[0]
        if scenario["category"] in ("billing", "complaint"):
            invoice = f"INV-{rng.randint(41000, 58999)}"
        else:
            invoice = f"INV-{rng.randint(120, 4999):05d}"
        amount = rng.choice(scenario.get("amounts") or _AMOUNTS[language])
        mentioned = _REFERENCE_DATE - timedelta(days=int(days_ago) + rng.randint(1, 9))
        values = {
            "{name}": first_name,
            "{invoice}": invoice,
            "{amount}": amount,
            "{date}": _DATE_FORMATS[language].format(
                day=mentioned.day, month=_MONTHS[language][mentioned.month - 1]
            ),
        }
        filled = {}
        for field in ("subject", "body", "reply"):
            text = scenario[field]
            for key, value in values.items():
                text = text.replace(key, value)
            filled[field] = text
        body = filled["body"]
        if language != "en":
            channel = rng.choices(_CHANNELS, weights=(6, 3, 1, 0))[0]
        elif len(body) < 160:
            channel = rng.choices(_CHANNELS, weights=(3, 2, 4, 1))[0]
        else:
            channel = rng.choices(_CHANNELS, weights=(6, 3, 1, 1))[0]
        drafts.append(
            {
                "subject": filled["subject"],
                "body": body,
                "customer": {
                    "external_id": customer["external_id"],
                    "email": customer["email"],
                    "name": customer["name"],
                },
                "channel": channel,
                "language": language,
                "category": scenario["category"],
                "priority": scenario["priority"],
                "reply": filled["reply"],
                "received_days_ago": days_ago,
            }
        )

    drafts.sort(key=lambda t: -t["received_days_ago"])
    return [{"external_id": f"TH-{10001 + n}", **ticket} for n, ticket in enumerate(drafts)]
