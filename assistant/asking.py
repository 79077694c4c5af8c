"""What a question asks for, read from its words: the kind of answer wanted (an amount of money,
a date, a phone number or email, a count ...), whether it wants a live figure, where the ask
begins after a sentence of context, and which words only say who is asking.

Kept apart from ``answerability`` (which weighs these with what the library holds) because
the sentence choice and the conversation read the same things; it needs nothing but ``re``
(and, lazily, the ``wordfreq`` list), so reading a conversation imports no search machinery.
"""

from __future__ import annotations

import functools
import re

from cpguide.assistant.places import places

COMMON_ZIPF = 5.0  # words at least this frequent in everyday English are never "salient"

# Contact details as they are written in a passage; the answer's sentence choice leaves out
# lines holding an email or web address unless the question asks how to get in touch.
PHONE_TEXT = r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b"
EMAIL_TEXT = r"[\w.+-]+@[\w-]+\.[\w.]+"
WEB_TEXT = r"https?://|www\."

# Who holds a post in a named place: "Who chairs Walsall's corporate parenting board?", "What's the
# name of Telford's virtual school head?". Guidance names roles, not the people in them; "who is
# the virtual school head?" and "who is the Director of Children's Services?" ask about the role,
# so a place the question names (``places.toml``) is needed too (see ``kind_asked``).
_ROLE = (r"(?:chair(?:man|person|s)?|heads?(?:teacher)?|members?|leader|leads|director|manager|coordinator|officer|"
         r"councillor|mayor|portfolio holder|DCS|nurse|doctor|adviser|advisor|worker|teacher|person)")
PERSON_ASKED = (r"^(?=[^?]*\b(?:" + _ROLE + r"|chairs|leads|heads|runs|manages)\b)"
                r"(?:who(?:['’]s| is| are| chairs| leads| heads| runs| manages)\b|what(?:['’]s| is| are) the names? of\b|"
                r"(?:which|what) (?:councillor|officer|person|member of staff|manager|nurse|doctor)\b)")
# A person named in a sentence, by their title: "Councillor Richard Watts", "Sir Martin Narey".
_PERSON_NAMED = r"\b(?-i:Cllr|Councillor|Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Professor|Prof|Lord|Lady|Baroness)\.?\s+(?-i:[A-Z])"

_HELD_BY = (r"\b(?:chaired|led|run|managed|headed|coordinated|co-ordinated) by\b|"
            r"\bwho (?:chair|chairs|lead|leads|run|runs|head|heads)\b|"
            r"\b(?:chair|chairs|lead|leads|run|runs) (?:the|its|their|each|every) (?:\w+ )?"
            r"(?:meetings?|group|panel|board|council|forum|sessions?)\b")

# What kind of answer the question asks for, and what such an answer looks like in a sentence.
_TIMES = r"\b(?:\d+|once|twice|two|three|four|five|six|ten)\s+times\b"
_DURATION = r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|ten|twelve|couple of|few)\s+(?:working\s+)?" \
            r"(?:hours?|days?|weeks?|months?|years?|minutes?)\b"
_SHARE = r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\s*(?:per ?cent|%)|\bper ?cent\b|\b(?:half|a third|a quarter|one in \w+)\b"
ANSWER_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # "What was the NEET rate ...?" wants a share; "the weekly allowance rates" want money.
    "rate": (
        re.compile(r"\bthe (?!(?:\w+ ){0,2}(?:allowances?|pay|fees?|fostering|boarding|hourly|weekly|daily|monthly|"
                   r"going|payments?|interest|tax|wages?|salary|living|minimum)\b)(?:\w+ ){0,3}rates?\b(?! of pay)|"
                   # "What proportion of children in care live in kinship care?" wants a share, not any number.
                   r"\bwhat (?:percentage|proportion|share|fraction)\b", re.I),
        re.compile(_SHARE, re.I),
    ),
    "amount": (
        # "How much is the grant?", "how much pocket money", not "how much say do they get?".
        re.compile(r"\b(how much(?= (?:(?:extra|more|additional|new) )?(?:is|are|was|were|does|do|did|will|would|can|"
                   r"could|should|has|have|money|funding|cash|pocket|pay|paid|cost|grant|allowance|budget|council tax|"
                   r"rent|tax|fees?|wages?|salary|expenses|(?:an?|per|each) (?:hour|day|week|month|year)|"
                   r"\w+ (?:paid|cost|costs|get|earn|receive))\b|"
                   r"\s*[?.!]*$)|what(?:['’]s| is| are| was| were) the (?:[\w’'-]+ ){0,3}(?:rates?|amounts?|costs?|fees?|allowances?|"
                   r"grants?|budgets?|salary|wages?|pay|payments?|bursary|sums?|value|pocket money)(?!\s+(?:for\s*[?.!]*$|used|meant|intended|about|like|of "
                   r"(?!the |each |a |an )))|what (?:\w+ )?(?:fees?|wages?|"
                   r"salary|allowance|rate of pay)\b|how many pounds|(?:monetary|cash|financial) value|"
                   r"value of (?:the|each|a|an) (?:\w+ ){0,2}(?:grant|payment|allowance|budget|bursary|award|fund)|(?:how much|what)\b[^?]{0,40}\bworth\b(?! (?:doing|it\b))|what does it cost|"
                   r"(?:maximum|minimum) (?:\w+ )?(?:amount|payment|sum|grant|allowance)|what budget|"
                   r"how (?:big|large) (?:a |is the |was the |were the )?(?:\w+ ){0,3}(?:budget|grant|allowance|payment|bursary|"
                   r"fund|funding|investment|sum)|\bin pounds|"
                   r"(?:hourly|weekly|annual) (?:pay|wage|rate)|going rate|(?:what|which) rate\b[^?]{0,60}\b(?:paid|pay|earn)|"
                   r"(?:pay|pays|paid|earn|earns|charge|charges|cost|costs)\b.{0,40}\b(?:each|per|a|every) "
                   r"(?:week|month|year|hour|night|visit|placement|child))\b", re.I),
        # Money: a percentage or a number of weeks does not say what a grant or a wage is.
        re.compile(r"£\s?\d|\b\d[\d,.]*\s*(?:pounds|pence|p\b)|\b(?:hundred|thousand|million) pounds\b", re.I),
    ),
    "duration": (
        re.compile(r"\b(how long|how much (?:time|of (?:my|our|their|your|his|her) (?:time|diary|week|day|evenings?))|"
                   r"waiting times?|within how many|how many (?:working )?(?:days|weeks|months|years)|"
                   r"how quickly|how soon)\b", re.I),
        # "How quickly ...?" is answered by "as soon as possible" as well as by "within 10 days".
        # "How long can a young person stay put?" is answered by "until the young person reaches 21".
        re.compile(_DURATION + r"|\bwithin\s+\d|\b(?:until|till|up to) (?:(?:the|a) (?:young person|child) |they |"
                   r"(?:he|she) )?(?:reach(?:es)?|turns?|is|are|the age of|age) (?:the age of )?\d{1,2}\b|"
                   r"\b(?:as soon as possible|as quickly as possible|immediately|promptly|"
                   r"without delay|straight away|at the earliest|well in advance|in good time)\b", re.I),
    ),
    # Who holds a post in a named place; answered by a person named with their title (or their email).
    # Or by a sentence saying who holds it: "the group consists of young people, who chair the
    # meeting", "the panel is chaired by the lead member".
    "person": (re.compile(PERSON_ASKED, re.I), re.compile(_PERSON_NAMED + "|" + EMAIL_TEXT + "|" + _HELD_BY, re.I)),
    "contact": (
        # "address" and "call" are contact words as nouns or with someone to ring, not in "how
        # should schools address ..." or "what does the toolkit call ...".
        re.compile(r"\b(phone (?:number|line)|telephone|mobile number|number (?:to|for|do i) (?:call|ring|contact)|"
                   r"(?:call|ring|phone) (?:them|him|her|someone|somebody|anyone|us|you|for help|out of hours|"
                   r"the (?:\w+ )?(?:team|office|line|number|service|helpline|officer|school|council))|"
                   r"(?:can|could) i (?:call|ring|phone)|\b(?:i|we) (?:can|could) (?:call|ring|phone)|email|e-mail|"
                   r"contact details?|(?:the|its|your|an|email|e-mail|postal|web|home|office|contact|correct|full) address|"
                   r"address (?:for|of|to write)|who (?:do|should|can) (?:i|we) (?:contact|ring|call|phone|email|speak to)|"
                   r"website for|get in touch|helplines?|hotlines?|named contact|contact (?:for|at|person|number|point)|"
                   # "the out-of-hours emergency duty team number", "an out-of-hours number", not "the number of ..."
                   r"(?:out-of-hours|out of hours|emergency|duty|team|office|direct) (?:[\w-]+ ){0,2}number\b(?! of)|"
                   r"(?:a|the|any) (?:web ?)?link (?:to|where|for)|\burl\b|"
                   r"which named (?:officer|person|individual|worker|lead|manager)|"
                   r"who is the contact|(?:referral|application|online|sign-up) form|"
                   # "Is there somebody at Central Bedfordshire I could speak to about ...?"
                   r"(?:someone|somebody|anyone|a person)\b[^?]{0,60}"
                   r"\b(?:i|we) (?:could|can|might|should) (?:speak|talk|write) to|"
                   r"(?:get hold of|get in touch with|reach) (?:them|him|her|someone|somebody|the (?:\w+ ){0,3}"
                   r"(?:workers?|team|officers?|lead|leads|coordinator|manager|organisers?|staff|person|people who))\b|"
                   r"how (?:do|can|could|should) (?:i|we|you|they|an? [\w ]{1,25}) (?:reach|contact|find)\b.{0,40}"
                   r"\b(?:team|office|service|school|officer|panel|board|scheme))\b", re.I),
        re.compile("|".join((PHONE_TEXT, EMAIL_TEXT, WEB_TEXT)), re.I),
    ),
    "date": (
        re.compile(r"\b(what dates?|which dates?|what days?|what time|deadline|"
                   r"opening (?:hours|times)|the dates? (?:of|for)|"
                   r"closing date|by when|what year|which year|what month|when exactly|"
                   r"since when|(?:is|was) there (?:a|any) (?:date|deadline|timescale)|"
                   r"when(?:['’]s| is| are| will) the next|"
                   r"when (?:did|was|were) [^?]{0,100}\b(?:start|started|begin|began|launch|launched|publish|published|"
                   r"bring out|brought out|introduce|introduced|set up|run|held|open|opened|happen|happened|take place|"
                   r"first)|"
                   r"when (?:is|are|was|were|will) [^?]{0,60}\b(?:due|held|taking place|"
                   r"launched|published|happening))\b", re.I),
        re.compile(r"\b(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|monday|tuesday|wednesday|thursday|friday|weekly|monthly|quarterly|annually|"
                   r"termly|every (?:\w+ )?(?:weeks?|months?|years?|term))\b"
                   r"|\bwithin (?:\w+ ){0,2}(?:working )?(?:days?|weeks?|months?)\b", re.I),  # "due within 20 working days"
    ),
    # "How often ...?" is answered by "annual", "every six months", "regularly", "twice a year".
    "frequency": (
        re.compile(r"\b(how often|how frequently|how regularly|how many times (?:a|per|each) (?:week|month|year|term))\b",
                   re.I),
        re.compile(r"\b(?:daily|weekly|fortnightly|monthly|quarterly|annual|annually|yearly|termly|regular|regularly|"
                   r"frequent|frequently|once|twice|\w+ times (?:a|per|each)|every (?:\w+ )?(?:days?|weeks?|months?|years?|"
                   r"terms?|quarters?)|(?:each|per) (?:day|week|month|year|term)|a (?:week|month|year)|at least)\b", re.I),
    ),
    # A bare "when" may ask for a time or a condition: "when do the principles apply?" is
    # answered by "when exercising their functions", "when should work start?" by "well in advance".
    "when": (
        re.compile(r"\bwhen (?:is|are|was|will|does|do|did|should|must|can|could)\b", re.I),
        re.compile(r"\b(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|monday|tuesday|wednesday|thursday|friday|weekly|monthly|quarterly|annually|"
                   r"when|whenever|before|after|once|as soon as|in advance|until|by the time|at the (?:start|end|point|age)|"
                   r"aged?|during|while|within|at least|every)\b", re.I),
    ),
    "age": (
        re.compile(r"\b(what ages?|how old|until what age|up to what age|age limit|which ages?|age range|"
                   r"what age group)\b", re.I),
        re.compile(r"\b(?:aged?|age of|up to|until|under|over)\s+(?:between\s+|from\s+)?(?:\d{1,2}|eighteen|twenty-?one|"
                   r"twenty-?five)\b|\b\d{1,2}(?:st|th)? birthday\b|\b\d{1,2}\s*(?:-|to|and)\s*\d{1,2}\b", re.I),
    ),
    "count": (
        re.compile(r"\b(how many|what(?:['’]s| is| are| was) the (?:latest|current) (?:\w+ )?"
                   r"(?:number|figures?|rate|statistics?|data|count|total)|"
                   r"(?:a|any) (?:cap|limit|upper limit|ceiling) on|(?:the|a) (?:maximum|minimum|set|fixed) number|"
                   r"(?:shouldn['’]t|should not|must not|mustn['’]t|can['’]t|cannot) (?:go over|exceed|go above)|"
                   r"the (?:most|fewest) (?:\w+ ){1,3}(?:should|can|may|could|is|are)|"
                   r"national average|number of|how (?:much )?more often)\b",
                   re.I),
        re.compile(r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\b|\b(?:per cent|percent|half|third|quarter|twice|"
                   r"one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|majority|most)\b|"
                   + _TIMES, re.I),
    ),
}

_LIVE = re.compile(r"\b(this year|this month|next year|right now|currently|latest|current|up[- ]to[- ]date|today|"
                   r"at the moment|so far this|so far|to date)\b", re.I)
# A future event ("when will...", "when does the panel next meet?") is not in published guidance.
_FUTURE = re.compile(r"\bwhen (?:will|is .{0,40}\bgoing to)\b|\bnext (?:\w+ ){0,3}(?:meet|meets|meeting|panel|review|"
                     r"event|year|month|week|term|round|session|board)\b|\bwhen\b[^?]{0,60}\bnext\b|\bupcoming\b|"
                     r"\bforthcoming\b", re.I)
_FIGURE_WORDS = re.compile(r"\b(?:figures?|statistics|stats|rates?|percentage|proportion|total|count|numbers?|"
                           r"dates?|deadline|waiting (?:list|times?))\b", re.I)
# Kinds of answer a live question wants: not "the current age limit" or "how often ... the
# current care plan", which guidance does state.
_FIGURE_KINDS = ("count", "amount", "rate", "date", "when")
# "last year" asks for a recent figure when the question wants a count or an amount.
_RECENT = re.compile(r"\b(?:last|this|past) (?:year|month|quarter)\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)(\d\d)\b")


# Where the ask begins after a sentence of context: "Our report goes to panel in March. What
# should it cover?", "I'm a PCSO in Telford: how do I ...?".
_CONTEXT_BREAK = re.compile(
    r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bSt\.)(?<=[.!?:;])\s+(?=\S)"
    r"|\s+[-–—]\s+(?=(?:what|how|who|when|which|where|why|can|could|should|do|does|is|are|will|would)\b)", re.I)


@functools.lru_cache(maxsize=1024)  # read by the decline check and the sentence choice alike
def asked_part(question: str) -> str:
    """The question without the context said before it: the last sentence that asks something.
    What kind of answer is wanted, and whether it is a live one, is read there, so "next month"
    or "in March" in the context does not make a question about dates."""
    parts = [p for p in _CONTEXT_BREAK.split(question.strip()) if p.strip()]
    if len(parts) < 2 or (_ASKS.match(parts[0]) and not parts[0].rstrip().endswith("?")):
        return question  # it opens with its ask: "Up to what age - 18 or 21 - can ...?"
    asking = [p for p in parts if p.rstrip().endswith("?")]
    last = asking[-1] if asking else parts[-1]
    return last if len(last.split()) >= 3 else question


def from_first_ask(question: str) -> str:
    """The question from its first sentence that asks on: "One of the care leavers on our housing
    list has just told us she's expecting. What does the toolkit say?" asks nothing about lists."""
    parts = _CONTEXT_BREAK.split(question.strip())
    first = next((i for i, p in enumerate(parts) if p.rstrip().endswith("?")), 0)
    return " ".join(parts[first:])


@functools.lru_cache(maxsize=1024)
def kind_asked(question: str) -> str:
    """The kind of answer the question asks for ("amount", "person", "contact", "date", ...), or ""."""
    ask = asked_part(question)
    return next((kind for kind, (pattern, _) in ANSWER_KINDS.items() if pattern.search(ask)
                 and (kind != "person" or _names_a_place(question))
                 and (kind != "contact" or not _ASKS_NAME.search(ask))), "")


# "What's the name of South Gloucestershire's website for children in care?" asks what it is
# called ("Us In Care"), not for its address.
_ASKS_NAME = re.compile(r"\b(?:the|its|their) names? of\b|\bcalled\s*[?.!]*$|\bwhat(?:['’]s| is) it called\b", re.I)


def _names_a_place(question: str) -> bool:
    """A town, city or council named ("in Telford", "Walsall's"), not only a nation."""
    return bool(places().find(question))


# A contact asked for by its kind wants that kind: a web address is not a phone number.
_PHONE = re.compile(PHONE_TEXT + r"|\b0\d{2,4}\s\d{3,4}\s\d{3,4}\b")
_EMAIL = re.compile(EMAIL_TEXT)
_CONTACT_ASKED = (
    (re.compile(r"\b(?:phone|telephone|mobile|helpline|hotline|ring|call)\b", re.I), _PHONE),
    (re.compile(r"\be-?mail\b", re.I), _EMAIL),
)


# "What year did Gloucestershire first recruit its Ambassadors?", "When was the group set up?":
# a point in time, answered by a year or a month, not by how often something happens.
_WHEN_IT_BEGAN = re.compile(r"\b(?:what|which) year\b|\bsince when\b|\bwhen (?:did|was|were)\b[^?]{0,100}\b"
                            r"(?:start|started|begin|began|launch|launched|publish|published|introduce|introduced|"
                            r"set up|established|founded|created|first)\b", re.I)
_YEAR_OR_MONTH = re.compile(r"\b(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|"
                            r"november|december)\b", re.I)


def answer_pattern(kind: str, question: str) -> re.Pattern[str]:
    """What an answer of ``kind`` looks like in a sentence, for this question: any contact
    detail answers "how do I get in touch?", only a phone number "what's the helpline number?";
    "annually" answers "what days does the panel meet?" but not "what year did it start?"."""
    if kind == "date" and _WHEN_IT_BEGAN.search(asked_part(question)):
        return _YEAR_OR_MONTH
    if kind == "contact":
        ask = asked_part(question)
        wanted = [looks for asks, looks in _CONTACT_ASKED if asks.search(ask)]
        if len(wanted) == 1:
            return wanted[0]
    return ANSWER_KINDS[kind][1]


def asks_for_live(question: str, asked: str, latest_year: int | None) -> bool:
    """Does the question want a current figure or a future date, which published guidance cannot hold?

    "How many ... right now?" wants a live figure; "what is the current guidance on ...?" wants
    the guidance, which is what the library holds. So with a future date: "when does the panel
    next meet?" asks for one; "... on the agenda next month. What should I be digging into?"
    only says when the asker needs the answer. A year after the library's latest is live too.
    """
    ask = asked_part(question)
    wants_figure = asked in _FIGURE_KINDS or bool(_FIGURE_WORDS.search(ask))
    years = [2000 + int(y) if int(y) < 50 else 1900 + int(y) for y in _YEAR.findall(ask)]
    return bool((_LIVE.search(ask) or _FUTURE.search(ask)) and wants_figure) \
        or bool(asked in ("count", "amount") and _RECENT.search(ask)) \
        or bool(latest_year and any(y > latest_year for y in years))


# Who is asking: "As a SENCO, ...", "I'm a PCSO - ...", "We run the Tesco store in Cardiff: ...",
# "our NHS Trust". A name there says where the asker works; the question is what they ask.
_ASKER = re.compile(
    r"(?:^|(?<=[.!?;:]\s))(?:as (?:an?|the)|i(?:['’]m| am) (?:an?|the|from|with|at)|i work (?:at|for|in|with)|"
    r"we(?:['’]re| are) (?:an?|the|from)|we run (?:an?|the)?|we work (?:at|for|in|with)|"
    r"(?:i|we) (?:manage|own|lead|chair) (?:an?|the)?)\s*[^,:;?!–—]{1,60}?(?=\s*(?:[,:;–—]|\.\s|\s-\s))|"
    r"\bour\s+(?:(?-i:[A-Z])[\w’'&-]*\s*)+",
    re.I,
)


def asker_spans(question: str) -> list[tuple[int, int]]:
    """Where the question says who is asking ("As a SENCO, ...", "our NHS Trust")."""
    return [m.span() for m in _ASKER.finditer(question)]


# "..., and when should work on it start?": a second question joined to the first.
# "..., and for how long?", "..., and from whom?": a part may open with the preposition its question word takes.
_PREPOSED = r"(?:for|from|at|by|in|to|with|under)\s+(?:how|what|which|whom|when|where)"
_PART_BREAK = re.compile(r",?\s+(?:and|but|also|or)\s+(?=(?:what|how|who|when|which|where|why|whether|up to what|"
                         r"until what|do|does|should|can|could|is|are|must|" + _PREPOSED + r")\b)|[;?]\s+(?=\w)|,\s+(?=(?:what|how|who|when|"
                         r"which|where|why)\b)", re.I)
_ASKS = re.compile(r"^(?:what|what's|how|who|when|which|where|why|whether|up to what|until what|do|does|should|can|"
                   r"could|is|are|must|" + _PREPOSED + r")\b", re.I)
PREPOSED_ASK = re.compile(_PREPOSED + r"\b", re.I)  # a part opening "for how long", "with what ..."


# "What can a GP surgery, a dental practice and an optician each do ...?": several asked about, "each".
_EACH_OF = re.compile(r"^(?P<before>.*?\b)(?P<run>[\w’'&-]+(?:\s+[\w’'&-]+)*?(?:,\s+[\w’'&-]+(?:\s+[\w’'&-]+)*)*,?"
                      r"\s+and\s+[\w’'&-]+(?:\s+[\w’'&-]+)*?)\s+each\b(?P<after>.*)$", re.I)
_MEMBER_BREAK = re.compile(r",\s+(?:and\s+)?|\s+and\s+", re.I)
_ASKING_WORD = re.compile(r"\b(?:what|how|who|when|which|where|why|do|does|did|is|are|should|can|could|must|will|would)\b",
                          re.I)
MAX_MEMBER_WORDS = 4  # "a GP surgery", "health settings", "housing services": a member named in a few words


def each_asked(question: str) -> list[tuple[str, str]]:
    """"What can a GP surgery, a dental practice and an optician each do for ...?" asks three
    questions, one per member: ("a GP surgery", "What can a GP surgery do for ...?") and so on;
    [] for a question that asks nothing of each. The first member starts after the last asking
    word and is no longer than the longest other one, so the words before it ("What can") are the
    question's own."""
    ask = asked_part(question)
    m = _EACH_OF.match(ask) if re.search(r"\beach\b", ask, re.I) else None
    if m is None:
        return []
    members = _MEMBER_BREAK.split(m.group("run"))
    rest = members[1:]
    if not rest or any(not r or len(r.split()) > MAX_MEMBER_WORDS or _ASKING_WORD.search(r) for r in rest):
        return []  # "What are the seven principles and what does each mean?" asks each nothing new
    words = members[0].split()
    asking = [i for i, w in enumerate(words) if _ASKING_WORD.fullmatch(w)]
    # "What do the police": after the last asking word; "What does the toolkit suggest GPs": no
    # longer than the longest other member.
    size = min(max(len(r.split()) for r in rest), len(words) - 1 - asking[-1] if asking else len(words))
    if size < 1:
        return []
    before = m.group("before") + " ".join(words[:-size])
    members = [" ".join(words[-size:])] + rest
    return [(member, " ".join(f"{before} {member}{m.group('after')}".split())) for member in members]


# "What should we weigh up before we sign?", "Our foster carers keep grumbling": a word the question
# uses as a verb says what is done, not what the question is about, so it is not named as what the
# library lacks.
_SUBJECT_OR_MODAL = r"(?:we|i|you|they|he|she|should|must|can|could|will|would|might|may|shall|don['’]t|doesn['’]t)"
_PARTICLE = r"(?:up|out|through|over|off|down)"


def used_as_verb(question: str, word: str) -> bool:
    """Does the question use ``word`` as a verb ("we weigh up", "keep grumbling")?"""
    w = re.escape(word)
    return bool(re.search(rf"\b{_SUBJECT_OR_MODAL}\s+{w}\b|\b{w}\s+{_PARTICLE}\b|\bkeep(?:s|ing)?\s+{w}(?<=ing)\b",
                          question, re.I))


def question_parts(question: str) -> list[str]:
    """The parts of a question asked in several parts; a single question is one part. Parts are
    read after what is said before the ask ("I run a leisure centre in Wales. What might stop
    ..., and what are we meant to do about it?" has two)."""
    parts = [p.strip(" ,;?") for p in _PART_BREAK.split(asked_part(question))]
    parts = [p for p in parts if len(p.split()) >= 3 and _ASKS.match(p)]
    return parts if len(parts) >= 2 else [question]


@functools.lru_cache(maxsize=50_000)
def word_zipf(word: str) -> float:
    """How common a word is in everyday English (wordfreq's Zipf scale: 7 for "the", 3 for rare words)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # without the list every unknown word counts as salient
        return 0.0
    return zipf_frequency(word, "en")
