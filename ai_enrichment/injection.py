"""Prompt-injection detector: heuristics that flag customer text written to instruct the model.

    verdict = injection_scan(ticket.subject, ticket.body)
    verdict.flagged, verdict.signals     # True, ("ignore_instructions", "hidden_text")

The prompt already sends customer text as delimited data and tells the model it is data (prompts/);
this flags the attempts so agents are warned and AI_INJECTION_ROUTE can keep them from external models.
Heuristics, in English, German, Spanish and French: asking to ignore or replace the instructions,
role-play, imitated system or assistant turns, asking for the prompt, notes addressed to the AI, and
hidden text (invisible or bidi control characters, long blank runs before more text, HTML comments,
invisible-style remnants). A verdict names the signals, never the text that matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db import models

from ai_enrichment.redaction import strings_in


class Signal(models.TextChoices):
    IGNORE_INSTRUCTIONS = "ignore_instructions", "asks the AI to ignore or replace its instructions"
    ROLE_PLAY = "role_play", "asks the AI to play another role"
    FAKE_TURN = "fake_turn", "imitates a system or assistant message"
    PROMPT_REQUEST = "prompt_request", "asks the AI to reveal its instructions"
    ADDRESSES_THE_AI = "addresses_the_ai", "addresses a note to the AI"
    HIDDEN_TEXT = "hidden_text", "hides text from people (invisible characters, blank runs, comments)"


@dataclass(frozen=True)
class InjectionVerdict:
    signals: tuple[str, ...] = ()  # Signal values, sorted; empty when nothing matched

    @property
    def flagged(self) -> bool:
        return bool(self.signals)


# --- hidden text: looked for in the raw text ---------------------------------------------------------
# Tag characters spell ASCII invisibly ("ASCII smuggling"); bidi embeddings, overrides and isolates
# reorder what people see. (LRM/RLM marks are left alone: right-to-left text uses them legitimately.)
TAG_CHARACTERS = re.compile("[\U000e0000-\U000e007f]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Zero-width characters inside Latin words hide text or split words past filters. Next to other
# scripts (Persian ZWNJ, emoji ZWJ sequences) they are ordinary, so only these count.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u180e\ufeff"
ZERO_WIDTH_IN_LATIN = re.compile(f"(?<=[A-Za-z0-9])[{ZERO_WIDTH}]|[{ZERO_WIDTH}](?=[A-Za-z0-9])")
ZERO_WIDTH_MIN = 2  # one stray ZWSP is a copy-paste accident
# Visible text, a long blank stretch, then more text: the rest is pushed out of an agent's view.
BLANK_LINES_RUN = re.compile(r"\S[^\S\n]*(?:\n[^\S\n]*){15,}\S")
BLANK_SPACES_RUN = re.compile(r"\S[^\S\n]{100,}\S")
# HTML comments with words in them (not Outlook's <!--[if mso]> conditionals), and styles that make
# text invisible: remnants of an HTML body.
HTML_COMMENT = re.compile(r"<!--(?!\s*\[(?:end)?if)(?:(?!-->).)*?[^\W\d_]{2,}\W+[^\W\d_]{2,}", re.S)
INVISIBLE_STYLE = re.compile(
    r"(?<![\w-])(?:display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?(?![.\d])"
    r"|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?(?![.\d])"
    r"|color\s*:\s*(?:white\b|transparent\b|#f{3}(?:f{3})?\b|rgba?\(\s*255\s*,\s*255\s*,\s*255\b))",
    re.I,
)

# --- imitated turns: looked for line by line, on text with invisible characters removed --------------
CHAT_TOKENS = re.compile(
    r"<\|\s*(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|>"
    r"|\[/?INST\]|<</?SYS>>"
    r"|</?\s*(?:ticket_data|ticket|system|assistant|user|instructions?|prompt|data)\s*>",
    re.I,
)
ROLE_NAMES = (
    r"system|assistant|ai assistant|chatbot|model|developer|admin(?:istrator)?|sistema|système|systeme"
)
# "### Assistant", "[SYSTEM]", "System prompt:", "Assistant:" at the start of a line.
ROLE_HEADER = re.compile(
    rf"^[ \t>*_-]*(?:#{{2,}}\s*(?:{ROLE_NAMES}|human|user|instructions?|response)\s*:?[ \t]*$"
    rf"|[\[(](?:{ROLE_NAMES})[\])]"
    rf"|(?:{ROLE_NAMES})[ \t]*(?:message|prompt|override|instructions?|update|note|nachricht|mensaje|"
    r"anweisung(?:en)?)\s*:"
    r"|(?:assistant|ai assistant|chatbot|ai|claude|chatgpt|gpt)\s*:"
    r"|(?:system-?(?:nachricht|anweisung)|mensaje del sistema|message (?:du )?syst[eè]me)\s*:)",
    re.I | re.M,
)
# "System: ..." is also how bug reports give the operating system ("System: Windows 11"): it counts
# only when the line goes on to talk to the model.
SYSTEM_LINE = re.compile(
    rf"^[ \t>*_-]*(?:{ROLE_NAMES}|human|user)\s*:.*\b(?:you|your|ignore|disregard|instructions?|assistant|"
    r"model|must|override|respond|reply|answer|du|dein|deine|ignoriere|tu|tus|ignora|vous|tes|ignore[zs]?)\b",
    re.I | re.M,
)
END_MARKER = re.compile(
    r"(?:[-=#*\[<(]{1,}|^)\s*(?:end|close) of (?:the )?(?:ticket|data|user input|customer message|input|"
    r"document|context|conversation)\b",
    re.I | re.M,
)

# --- phrases: looked for in normalised text (NFKC, invisible characters removed, case-folded, one
# space for any run of whitespace) ---------------------------------------------------------------------
_PREVIOUS_EN = r"(?:previous|prior|above|earlier|preceding|former|initial|original|system|all|any|the|your)"
_INSTRUCTIONS_EN = (
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|commands|orders|"
    r"programming|constraints|restrictions|context|system message)"
)
IGNORE_INSTRUCTIONS = re.compile(
    "|".join(
        [
            # en: "ignore all previous instructions", "disregard the above", "forget everything you were told"
            rf"\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon|discard|neglect)\b"
            rf"(?: (?:all|any|every|each|of|the|your|these|those|previous|prior|above|earlier|preceding|"
            rf"former|initial|original|system|safety|other|existing|current|given)){{1,4}} {_INSTRUCTIONS_EN}\b",
            r"\b(?:ignore|disregard|forget) (?:all |everything |anything |the )?(?:that |what |text )?(?:is |was |you "
            r"(?:were|have been|was) (?:told|given|instructed) )?(?:above|before this|before|so far|previously|"
            r"earlier)\b",
            r"\b(?:ignore|disregard|forget) everything (?:you (?:were|have been) (?:told|given)|above|before|"
            r"else|(?:in|from) (?:the|your) (?:system|prompt|instructions))",
            r"\bdo not (?:follow|obey|apply) (?:your|the|any) (?:previous |prior |original |system )?"
            rf"{_INSTRUCTIONS_EN}",
            r"\b(?:new|updated|revised|real|actual|true|secret|override|admin|priority) instructions?\s*:",
            r"\byour (?:new|real|actual|true|only) (?:task|job|goal|instructions?|purpose|role) (?:is|are|now)\b",
            r"\bfrom now on,? you (?:will|must|shall|are to|should) (?:only |always |now )?(?:respond|answer|"
            r"reply|act|behave|speak|talk|be an?|pretend|ignore|output|write|say|obey|follow)\b",
            r"\binstead,? (?:just )?(?:output|print|respond with|reply with|say|write|answer with) (?:only )?"
            r"(?:the|this|exactly|\")",
            r"\b(?:set|mark|classify|label|categori[sz]e|tag) (?:this|the) (?:ticket|message|request) as "
            r"(?:\w+ )?(?:priority|category)?\s*[\"'`]",
            # de
            r"\b(?:ignorier|missacht|vergiss|vergesst|vergessen sie|übergeh|überspring)(?:e|en|t)?(?: sie)?"
            r"(?: (?:alle|sämtliche|die|deine|ihre|jegliche|bisherigen|vorherigen|vorigen|obigen|früheren|"
            r"vorangegangenen|ursprünglichen|system))+ (?:anweisungen|instruktionen|befehle|regeln|vorgaben|"
            r"richtlinien|prompts?|systemanweisungen)\b",
            r"\bvergiss (?:alles|alle),? was (?:dir|man dir|du) (?:gesagt|vorgegeben|erklärt)",
            r"\b(?:neue|aktualisierte|eigentliche|geheime) (?:anweisung(?:en)?|aufgabe|instruktionen?)\s*:",
            r"\bdeine (?:neue|eigentliche|wahre|einzige) aufgabe (?:ist|lautet)\b",
            r"\bab (?:sofort|jetzt) (?:bist du|antwortest du|sollst du|wirst du|ignorierst du)\b",
            # es
            r"\b(?:ignora|ignore|ignoren|olvida|olvide|olviden|omite|omita|descarta|descarte|haz caso omiso "
            r"(?:a|de))(?: (?:todas|todos|las|los|tus|sus|el|la|de|lo|instrucciones|indicaciones))* "
            r"(?:instrucciones|indicaciones|órdenes|reglas|directrices|prompt|mensaje del sistema)"
            r"(?: (?:anteriores|previas|de arriba|iniciales|originales|del sistema))?\b",
            r"\b(?:olvida|ignora) todo lo (?:anterior|que te (?:dijeron|han dicho|indicaron))",
            r"\b(?:nuevas|verdaderas|auténticas) instrucciones\s*:",
            r"\btu (?:nueva|verdadera|única) (?:tarea|misión|función) (?:es|será)\b",
            r"\ba partir de ahora,? (?:eres|serás|responde|responderás|actúa|actuarás|debes)\b",
            # fr
            r"\b(?:ignore|ignorez|oublie|oubliez|néglige|négligez|contourne|contournez)(?: (?:toutes|tous|les|"
            r"tes|vos|ces|des))* (?:instructions|consignes|directives|règles|prompts?|indications)"
            r"(?: (?:précédentes|antérieures|ci-dessus|d'avant|initiales|d'origine|du système|système))?\b",
            r"\b(?:oublie|oubliez|ignore|ignorez) tout ce qu",
            r"\b(?:nouvelles|vraies|véritables) (?:instructions|consignes)\s*:",
            r"\bta (?:nouvelle|vraie|seule) (?:tâche|mission) (?:est|sera)\b",
            r"\bà partir de maintenant,? (?:tu es|tu réponds|réponds|tu dois|tu vas|ignore)\b",
        ]
    )
)
_AI_PERSONA = (
    r"(?:(?:an? |the |my )?(?:(?:different|new|other|unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|"
    r"free|helpful|honest) )?(?:ai|a\.i\.|chatbot|language model|llm|gpt|chatgpt|dan|model|assistant|"
    r"persona|character|linux terminal|terminal|shell|python interpreter|hacker)\b"
    r"|(?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue)\b)"
)
# An imperative at the start of a sentence, or after "please" / "now": "Act as…", not "the app acts as…".
_LEAD_INS = (
    *(f"{mark}{space}" for mark in ".!?:;\"'«(" for space in ("", " ")),
    *(
        f"{word} "
        for word in (
            "please", "now", "i want you to", "you will", "you must", "you should", "bitte", "jetzt",
            "por favor", "ahora", "quiero que", "s'il te plait", "s'il te plaît", "s'il vous plait",
            "s'il vous plaît", "maintenant", "je veux que tu",
        )
    ),
)  # fmt: skip
_LEAD_IN = "(?:^|" + "|".join(f"(?<={re.escape(lead_in)})" for lead_in in _LEAD_INS) + ")"


def _imperative(verb_phrase: str) -> str:
    """`verb_phrase` at the start of a sentence or after a lead-in. The lookahead comes first so that
    at most positions the pattern fails on one character instead of trying every lead-in."""
    return f"(?={verb_phrase}){_LEAD_IN}{verb_phrase}"


ROLE_PLAY = re.compile(
    "|".join(
        [
            # en
            r"\byou are (?:now|no longer|from now on|henceforth)\b(?: (?:an?|the|my|in|called|named|free|"
            r"unrestricted|unfiltered|jailbroken|dan|not)\b| " + _AI_PERSONA + ")",
            rf"\b(?:act|behave|respond|answer|reply) (?:as|like) (?:if you (?:were|are|had) |though you "
            rf"(?:were|are|had) )?{_AI_PERSONA}",
            r"\b(?:act|behave|respond|answer) as (?:if|though) (?:you|there) (?:were|are|had|have) (?:no|not "
            r"any) (?:rules|restrictions|instructions|guidelines|filters|limits|limitations)",
            r"(?<!don't )(?<!do not )(?<!stop )(?<!never )(?<!not )\bpretend (?:to be|you are|you're|that you "
            r"are|that you're|you have no|to have no|you can)\b",
            r"\b(?:role-?play|roleplay) (?:as|with me|a scenario)\b",
            r"\b(?:enter|switch to|activate|enable) (?:developer|dan|god|debug|admin|jailbreak|unrestricted|sudo)"
            r" mode\b",
            r"\b(?:developer|dan|god|jailbreak) mode (?:enabled|activated|on)\b",
            r"\bsimulate (?:an?|the) (?:ai|chatbot|assistant|language model|terminal|system) ",
            _imperative(r"act as (?:an?|the) (?:\w+ ){0,2}(?:ai|bot|model|gpt|assistant|agent with)\b"),
            # de
            r"\bdu bist (?:jetzt|ab sofort|ab jetzt|nun|nicht mehr|ab heute) (?:ein|eine|einer|der|die|das|kein|"
            r"keine|mein|meine|frei|dan)\b",
            r"\btu so,? als (?:ob|wärst|seist|wärest) ",
            r"\b(?:spiel|spiele|übernimm|übernehme) (?:jetzt |nun |bitte )?die rolle\b",
            r"\b(?:verhalte|benimm) dich (?:ab jetzt |jetzt |nun )?(?:wie|als) (?:ein|eine|einer)\b",
            r"\bgib dich als \w+",
            # es
            r"\b(?:ahora|a partir de ahora|desde ahora) (?:eres|serás) (?:un|una|el|la|mi)\b",
            _imperative(r"(?:actúa|actúe|actúes|compórtate|comportate) como (?:si fueras|si fuera|un|una)\b"),
            r"\b(?:finge|finja|fingir|simula|simule) (?:ser|que eres|que es)\b",
            r"\bhaz(?:te)? (?:de cuenta|pasar por)\b",
            r"\b(?:juega|interpreta|asume) (?:el|un) (?:papel|rol)\b",
            r"\bya no eres (?:un|una|el|la)\b",
            # fr
            r"\btu es (?:maintenant|désormais|dorénavant|à présent) (?:un|une|le|la|mon|ma)\b",
            r"\b(?:fais|faites) (?:semblant|comme si) (?:d'être|que tu|de|tu|vous)",
            r"\b(?:joue|jouez|incarne|incarnez) (?:le|un) (?:rôle|personnage)\b",
            _imperative(r"(?:agis|agissez|comporte-toi|comportez-vous) comme (?:si tu|si vous|un|une)\b"),
            r"\btu n'es plus (?:un|une|le|la)\b",
        ]
    )
)
_REVEAL_EN = (
    r"(?:reveal|show|print|repeat|output|display|tell|give|share|write|leak|dump|recite|paste|copy|"
    r"translate|summari[sz]e|spell out)"
)
PROMPT_REQUEST = re.compile(
    "|".join(
        [
            # en
            rf"\b{_REVEAL_EN} (?:me |us )?(?:out )?(?:all |exactly |verbatim )?(?:of )?(?:your|the) "
            r"(?:(?:full|entire|complete|exact|original|initial|hidden|secret|internal|system|first|confidential) )*"
            r"(?:system prompt|prompt|system message|system instructions|instructions you (?:were|have been) "
            r"given|initial instructions|original instructions|hidden instructions|secret instructions|"
            r"internal instructions|pre-?prompt|meta-?prompt|configuration prompt)\b",
            rf"\b{_REVEAL_EN} (?:me |us )?(?:everything|all the text|the text|all|the words|what is written) "
            r"(?:above|before this|that came before|preceding)",
            r"\bwhat (?:is|was|are|were) (?:your|the) (?:exact |original |initial |full |hidden |secret )?"
            r"(?:system prompt|system instructions|initial instructions|original instructions|instructions "
            r"you were given)",
            r"\bwhat (?:were|are) you (?:told|instructed|programmed) (?:to do|before|at the start|initially)",
            r"\b(?:reveal|repeat|print|output|dump|recite|leak) (?:me |us )?(?:all )?your (?:instructions|rules|"
            r"guidelines)\b",
            r"\b(?:include|put|add|append|paste) (?:your|the) (?:system prompt|system instructions|initial "
            r"instructions|prompt) (?:in|into|at the end of|to) ",
            # de
            r"\b(?:zeig|zeige|nenn|nenne|gib|verrat|verrate|wiederhol|wiederhole|schreib|schreibe|ausgeben|gebt)"
            r"(?:e|en sie)?(?: mir| uns)?(?: bitte)?(?: wörtlich| vollständig| komplett)? (?:deinen|deine|dein|"
            r"ihren|ihre|den|die|das) (?:(?:ursprünglichen|ursprüngliche|geheimen|geheime|internen|interne|"
            r"kompletten|vollständigen|ersten|versteckten) )?(?:system-?prompt|system-?anweisungen|"
            r"system-?nachricht|prompt|anweisungen, die du|instruktionen, die du)",
            r"\b(?:wiederhole|zeig|gib) (?:mir )?(?:alles|den text|den gesamten text),? (?:was |der )?(?:oben|"
            r"über|davor|vor diesem)",
            r"\bwie lauten deine (?:anweisungen|instruktionen|regeln|vorgaben)\b",
            # es
            r"\b(?:muestra|muéstrame|muestrame|revela|revélame|repite|repíteme|dime|escribe|imprime|comparte|"
            r"copia)(?: me)? (?:tu|tus|el|las|los|su|sus) (?:(?:instrucciones|prompt|mensaje) )?(?:del sistema|"
            r"de sistema|iniciales|originales|secretas|ocultas|internas|prompt|system prompt)\b",
            r"\b(?:muéstrame|dime|revela|repite) (?:tus|sus) instrucciones\b",
            r"\b(?:repite|muestra|escribe) todo (?:el texto |lo )?(?:anterior|de arriba|que está arriba)",
            r"\bcuáles son tus instrucciones\b",
            # fr
            r"\b(?:montre|montrez|montre-moi|montrez-moi|affiche|affichez|révèle|révélez|répète|répétez|donne|"
            r"donnez|donne-moi|donnez-moi|écris|écrivez|recopie|recopiez|dis-moi|dites-moi)(?: moi)? (?:ton|tes|"
            r"votre|vos|le|les) (?:(?:instructions|consignes|prompt|message) )?(?:système|systeme|initiales|"
            r"d'origine|secrètes|cachées|internes|prompt|du système|de départ)\b",
            r"\b(?:montre|révèle|répète|donne|dis)-moi (?:tes|vos) (?:instructions|consignes)\b",
            r"\b(?:répète|répétez|recopie|recopiez) tout (?:le texte )?(?:ci-dessus|au-dessus|ce qui précède)",
            r"\bquelles sont tes (?:instructions|consignes)\b",
        ]
    )
)
ADDRESSES_THE_AI = re.compile(
    "|".join(
        [
            r"\b(?:note|message|instructions?|attention|reminder|important) (?:to|for) (?:the |any )?(?:ai|a\.i\.|"
            r"assistant|model|llm|language model|chatbot|bot|gpt|chatgpt|claude|automated system|triage system)"
            r"\b",
            r"\bif you are (?:an?|the) (?:ai|a\.i\.|language model|llm|chatbot|automated|bot|assistant|model)\b",
            r"\b(?:dear|hey|hi|hello|attention) (?:ai|a\.i\.|chatgpt|claude|gpt|llm|language model|ai assistant)"
            r"\b(?!\s+(?:team|department|support|features?|tools?))",
            r"\bto (?:the|any) (?:ai|a\.i\.|llm|language model|model|assistant|bot) (?:reading|processing|"
            r"summari[sz]ing|classifying|triaging) this\b",
            # de, es, fr
            r"\b(?:hinweis|nachricht|anweisung) (?:an|für) (?:die ki|das modell|den assistenten|den bot|das "
            r"sprachmodell)\b",
            r"\bwenn du (?:eine ki|ein sprachmodell|ein bot|ein ki-assistent) bist\b",
            r"\b(?:nota|mensaje|instrucción) para (?:la ia|el modelo|el asistente|el bot)\b",
            r"\bsi eres (?:una ia|un modelo|un asistente|un bot)\b",
            r"\b(?:note|message|instruction) (?:à|pour) (?:l'ia|l'assistant|le modèle|le bot|l'intelligence "
            r"artificielle)\b",
            r"\bsi tu es (?:une ia|un modèle|un assistant|un bot)\b",
        ]
    )
)
INVISIBLE = re.compile(f"[{ZERO_WIDTH}\u202a-\u202e\u2066-\u2069\u00ad]")
WHITESPACE = re.compile(r"\s+")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def injection_scan(*texts: str) -> InjectionVerdict:
    """The signals found in any of `texts` (each scanned on its own)."""
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        found.update(_signals_remembered(text) if len(text) <= REMEMBERED_TEXT_MAX_CHARS else _signals(text))
    return InjectionVerdict(tuple(sorted(found)))


# A customer's recent tickets are scanned again with each new ticket of theirs (and are most of what a
# ticket's scan reads): a worker process remembers the signals of the texts it scanned last. Texts up to
# 16k characters, 512 of them: a few MB at most.
REMEMBERED_TEXT_MAX_CHARS = 16_384


@lru_cache(maxsize=512)
def _signals_remembered(text: str) -> tuple[str, ...]:
    return tuple(_signals(text))


def ticket_injection_verdict(*, ticket) -> InjectionVerdict:
    """What the customer wrote that goes into the prompt: the ticket's text fields and metadata and
    their recent tickets. Knowledge passages (the company's) and confirmed examples (reviewed by
    agents) are data in the prompt too, but not this customer's doing."""
    texts = [ticket.subject, ticket.body, ticket.customer_name, *strings_in(ticket.metadata)]
    for earlier in ticket.recent_history:
        texts += [earlier.subject, earlier.body]
    return injection_scan(*texts)


def _signals(text: str) -> Iterator[str]:
    if _has_hidden_text(text):
        yield Signal.HIDDEN_TEXT
    # Smuggled tag characters are read as the ASCII they spell, so what they say is checked too.
    visible = INVISIBLE.sub("", TAG_CHARACTERS.sub(_untag, unicodedata.normalize("NFKC", text)))
    visible = visible.translate(APOSTROPHES)
    if any(pattern.search(visible) for pattern in (CHAT_TOKENS, ROLE_HEADER, SYSTEM_LINE, END_MARKER)):
        yield Signal.FAKE_TURN
    flat = WHITESPACE.sub(" ", visible).casefold()
    for signal, pattern in (
        (Signal.IGNORE_INSTRUCTIONS, IGNORE_INSTRUCTIONS),
        (Signal.ROLE_PLAY, ROLE_PLAY),
        (Signal.PROMPT_REQUEST, PROMPT_REQUEST),
        (Signal.ADDRESSES_THE_AI, ADDRESSES_THE_AI),
    ):
        if pattern.search(flat):
            yield signal


def _has_hidden_text(text: str) -> bool:
    if TAG_CHARACTERS.search(text) or BIDI_CONTROLS.search(text):
        return True
    if len(ZERO_WIDTH_IN_LATIN.findall(text)) >= ZERO_WIDTH_MIN:
        return True
    if BLANK_LINES_RUN.search(text) or BLANK_SPACES_RUN.search(text):
        return True
    if "<" in text and HTML_COMMENT.search(text):
        return True
    return INVISIBLE_STYLE.search(text) is not None


def _untag(match: re.Match) -> str:
    code = ord(match.group()) - 0xE0000
    return chr(code) if 0x20 <= code < 0x7F else ""
