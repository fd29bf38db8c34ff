"""Offline language understanding for the GrihaSeva chatbot.

`understand(text, now, catalogue)` turns one customer message (English,
Roman-script Hindi/Hinglish, typos and all) into an `Understanding`: an intent
plus the entities the chat views need (service or category, day, part of day,
clock time, yes/no, FAQ topic).  Everything runs in process with no network:
hand-written lexicons and rules, `rapidfuzz` for typo correction and
`dateparser` for calendar dates written with a month ("28 Nov", "3rd December",
"28/11").

Rules for dates and times (relative to `now`, provider-local):

* "today"/"aaj"/"tonight"/"this evening" -> today; "tomorrow"/"kal" -> +1;
  "day after tomorrow"/"parso" -> +2; "in N days", "after N days", "N din baad"
  -> +N; "in a week" -> +7.  "kal" always means tomorrow (a booking bot is
  asked about the future).
* A weekday name ("saturday", "this saturday", "on sat", "next monday",
  "shanivar") is the first such day after today.  Said on that same weekday,
  "this tuesday" means today and a bare "tuesday" or "next tuesday" means a
  week from today (this matches dateparser's own reading).
* "on 28th" / "the 2nd" / "on 30": that day of this month, or of next month
  when it has already passed.  Dates with a month ("28 Nov", "Dec 3",
  "28/11", day first) go through dateparser and are never in the past.
* "next week", "this weekend" and similar spans are not one day: day is None.
* part_of_day is set only when the message names one: morning/subah,
  afternoon/dopahar, evening/shaam, night/raat/tonight.  Greetings
  ("good morning") do not count.
* A clock time ("at 10", "10:30 am", "6 pm", "5 baje", "shaam 6", "tomorrow
  10") sets `at`.  With am/pm, or a 24-hour hour (13-23), it is taken as
  written.  Otherwise the part of day decides (morning -> am; afternoon,
  evening -> pm; night -> pm, except 1-4 which stay small hours and 12 which
  is midnight), and with no part of day the home-services rule applies:
  1-7 -> pm (13:00-19:00), 8-11 -> am, 12 -> noon.  "noon" is 12:00.
  Bare numbers ("2 days", "2bhk", "28th", phone numbers) are never times.

Entities are extracted from every message, whatever the intent; a specific
phrase ("blocked drain", "tap leaking") sets `service` (and leaves `category`
None), a trade word ("plumber", "safai") sets only `category`.  Services that
the built-in lexicon does not know (added to the database later) match when
every significant word of their name appears in the message.

Intents are decided in this order, the first that applies winning:
human (talk to a person / agent / customer care, "call me back", a
complaint) -> password help -> cancel/reschedule (a policy question such as
"is cancellation free?" or "how do I cancel" is faq/cancellation instead) ->
faq/booking -> my_bookings -> other FAQ topics -> service_info (a service or
category plus price / duration / what-is-included words) -> a short yes/no
reply -> find_slots (free / available / slots / "kab" / "can X come" with a
service or a date) -> book (any message naming a service, or a date with
"need"/"book"; a bare date or time is an answer while booking) -> thanks_bye
-> greeting -> fallback.  Typos are corrected against the lexicon (one edit
for words of 5-7 letters, two for longer ones, first letter kept) but never
for everyday English words listed in `_COMMON_WORDS`.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import faq as _faq

__all__ = [
    "INTENTS", "PARTS_OF_DAY", "CatalogueEntry", "Understanding",
    "understand", "catalogue_from_demo",
]

INTENTS = ("greeting", "thanks_bye", "faq", "service_info", "find_slots", "book", "my_bookings",
           "cancel_reschedule", "human", "confirm", "deny", "fallback")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")


@dataclass(frozen=True)
class CatalogueEntry:
    slug: str
    name: str
    category: str
    category_name: str
    women_only: bool


@dataclass
class Understanding:
    intent: str                     # one of INTENTS
    service: str | None = None      # service slug, when one service is meant
    category: str | None = None     # category slug when only the category is known
    day: date | None = None         # provider-local calendar date meant
    part_of_day: str | None = None  # "morning" | "afternoon" | "evening" | "night"
    at: time | None = None          # exact clock time when given
    yes: bool = False
    no: bool = False
    faq: str | None = None          # FAQ topic id when intent == "faq"


def catalogue_from_demo() -> list[CatalogueEntry]:
    """The demo catalogue as CatalogueEntry rows (what the seeded database holds)."""
    from ..demo import data as demo_data

    cats = {c["slug"]: c for c in demo_data.CATEGORIES}
    return [
        CatalogueEntry(slug=s["slug"], name=s["name"], category=s["category"],
                       category_name=cats[s["category"]]["name"],
                       women_only=bool(cats[s["category"]]["women_only"]))
        for s in demo_data.SERVICES
    ]


# ---------------------------------------------------------------------------
# Lexicons
# ---------------------------------------------------------------------------

# Words that are themselves "cleaning" actions; they combine with an object
# (bathroom, kitchen, house ...) to name a cleaning service.
_CLEAN = frozenset({
    "clean", "cleaning", "cleaned", "safai", "safaai", "saaf", "scrub", "scrubbing",
    "wash", "washing", "descale", "descaling", "deepclean",
})

# Built-in service rules for the slugs GrihaSeva ships.  Each rule is
# (slug, weight, groups): it fires when every group has a member in the
# message.  The best weight wins; ties go to the earliest mention.
_SERVICE_RULES: tuple[tuple[str, int, tuple[frozenset[str], ...]], ...] = (
    ("home-deep-cleaning", 3, (frozenset({"deep"}), _CLEAN)),
    ("home-deep-cleaning", 3, (frozenset({"deepclean", "deep clean", "deep cleaning"}),)),
    ("home-deep-cleaning", 2, (frozenset({
        "home", "house", "flat", "ghar", "apartment", "bhk", "1bhk", "2bhk", "3bhk", "4bhk", "villa",
        "whole", "entire", "poora", "pura", "makaan", "makan", "room", "rooms", "floor", "floors"}), _CLEAN)),
    ("bathroom-cleaning", 3, (frozenset({
        "bathroom", "bathrooms", "washroom", "washrooms", "toilet", "toilets", "loo", "restroom", "bath",
        "shauchalay", "bathrum"}), _CLEAN)),
    ("kitchen-cleaning", 3, (frozenset({"kitchen", "kitchens", "chimney", "rasoi", "slab"}), _CLEAN)),
    ("sofa-cleaning", 3, (frozenset({"sofa", "sofas", "couch", "couches", "settee", "upholstery", "sofaset"}),)),
    ("tap-leak-repair", 3, (frozenset({
        "tap", "taps", "nal", "nall", "nalka", "nalke", "faucet", "faucets", "tapak", "tapakna", "tapakta",
        "tapki", "leak", "leaks", "leaking", "leakage", "leaky", "dripping", "drip", "drips", "seepage",
        "tapkna"}),)),
    ("tap-leak-repair", 2, (frozenset({"pipe", "pipes", "pipeline", "joint"}),)),
    ("drain-unblocking", 3, (frozenset({
        "drain", "drains", "drainage", "naali", "nali", "gutter", "clog", "clogged", "clogging", "unclog",
        "unblock", "unblocking", "choke", "choked", "choking", "blocked", "blockage", "jammed",
        "overflowing"}),)),
    ("drain-unblocking", 2, (frozenset({"sink", "basin", "washbasin", "wash basin"}),)),
    ("toilet-repair", 3, (frozenset({"flush", "flushing", "commode", "wc", "toilet seat"}),)),
    ("toilet-repair", 2, (frozenset({"toilet", "toilets"}),)),
    ("water-tank-cleaning", 3, (frozenset({"tank", "tanks", "tanki", "tankee", "sump", "water tank",
                                           "overhead tank"}),)),
    ("fan-installation", 3, (frozenset({"fan", "fans", "pankha", "pankhe", "pankhaa", "ceiling fan",
                                        "exhaust"}),)),
    ("switchboard-repair", 3, (frozenset({"switch", "switches", "switchboard", "switchboards", "socket",
                                          "sockets", "plug", "plugs", "plug point"}),)),
    ("switchboard-repair", 2, (frozenset({"board", "boards"}),)),
    ("ac-service", 3, (frozenset({"ac", "acs", "aircon", "air conditioner", "air conditioners",
                                  "conditioner", "air conditioning"}),)),
    ("wiring-inspection", 3, (frozenset({"wiring", "rewiring", "wire", "wires", "earthing", "mcb",
                                         "short circuit", "tripping"}),)),
    ("wiring-inspection", 2, (frozenset({"inspection"}),)),
    ("facial-at-home", 3, (frozenset({"facial", "facials", "cleanup"}),)),
    ("facial-at-home", 2, (frozenset({"face"}),)),
    ("waxing", 3, (frozenset({"wax", "waxing", "waxed", "rica"}),)),
    ("manicure-pedicure", 3, (frozenset({"manicure", "pedicure", "mani", "pedi", "manipedi", "nail",
                                         "nails", "nailpaint"}),)),
    ("haircut-at-home", 3, (frozenset({"haircut", "haircuts", "hair", "hairstyle", "hairstyling",
                                       "trim", "trimming", "baal", "blowdry", "blow dry", "stylist"}),)),
)

_CATEGORY_WORDS: dict[str, frozenset[str]] = {
    "plumbing": frozenset({"plumber", "plumbers", "plumbing", "nalsaaz", "plumbing work"}),
    "electrical": frozenset({"electrician", "electricians", "electrical", "electric", "electricity",
                             "bijli", "wireman", "light", "lights", "bulb", "tubelight", "current"}),
    "cleaning": frozenset({"cleaning", "cleaner", "cleaners", "clean", "safai", "safaai", "saaf", "maid",
                           "housekeeping", "sweeper", "deepclean"}),
    "beauty": frozenset({"beauty", "beautician", "beauticians", "parlour", "parlor", "salon", "makeup",
                         "beautyparlour", "grooming", "threading", "eyebrow", "eyebrows", "bleach",
                         "mehendi", "mehndi", "bridal"}),
}

# Words that, on their own, never name a service of a catalogue entry we do
# not know (used to build rules for services added in the database later).
_GENERIC_NAME_WORDS = frozenset({
    "and", "at", "home", "the", "of", "a", "for", "service", "services", "repair", "installation",
    "cleaning", "in", "with", "to", "on",
})

_WEEKDAYS = {
    "monday": 0, "mon": 0, "somvar": 0, "somwar": 0,
    "tuesday": 1, "tue": 1, "tues": 1, "mangalvar": 1, "mangalwar": 1,
    "wednesday": 2, "wed": 2, "weds": 2, "budhvar": 2, "budhwar": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "guruvar": 3, "guruwar": 3, "veervar": 3,
    "brihaspativar": 3,
    "friday": 4, "fri": 4, "shukravar": 4, "shukrawar": 4,
    "saturday": 5, "sat": 5, "shanivar": 5, "shaniwar": 5,
    "sunday": 6, "sun": 6, "ravivar": 6, "raviwar": 6, "itvaar": 6, "itwar": 6, "etwar": 6, "itwaar": 6,
}

_MONTH_RE = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
             r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "ek": 1, "two": 2, "do": 2, "three": 3, "teen": 3, "four": 4, "char": 4,
    "chaar": 4, "five": 5, "paanch": 5, "panch": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}

_PART_WORDS = {
    "morning": "morning", "mornings": "morning", "subah": "morning", "subha": "morning", "suba": "morning",
    "savere": "morning", "sawere": "morning", "savera": "morning",
    "afternoon": "afternoon", "afternoons": "afternoon", "dopahar": "afternoon", "dopehar": "afternoon",
    "dophar": "afternoon", "dupahar": "afternoon", "dopahr": "afternoon",
    "evening": "evening", "evenings": "evening", "shaam": "evening", "sham": "evening", "shyam": "evening",
    "night": "night", "nights": "night", "raat": "night", "tonight": "night", "raath": "night",
}

# Token rewrites applied before anything else (chat shorthand, common Hinglish spellings).
_ABBREVIATIONS = {
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "plss": "please",
    "plzz": "please", "pleas": "please", "pl": "please",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow", "tomo": "tomorrow", "tmw": "tomorrow",
    "2moro": "tomorrow", "2mrw": "tomorrow", "2morrow": "tomorrow", "tommorow": "tomorrow",
    "tomorow": "tomorrow", "tommorrow": "tomorrow", "tomm": "tomorrow", "kl": "kal",
    "2day": "today", "tdy": "today", "tonite": "tonight", "2nite": "tonight",
    "thx": "thanks", "thnx": "thanks", "thanx": "thanks", "tx": "thanks", "tq": "thanks", "ty": "thanks",
    "thanku": "thanks", "thankyou": "thanks", "thnks": "thanks", "thks": "thanks", "tysm": "thanks",
    "wat": "what", "wht": "what", "hw": "how", "abt": "about", "b4": "before",
    "appt": "appointment", "appnt": "appointment", "apt": "appointment", "bkng": "booking",
    "eve": "evening", "evng": "evening", "evg": "evening", "mrng": "morning", "morn": "morning",
    "mrg": "morning", "nite": "night", "nyt": "night", "aftn": "afternoon", "noonish": "noon",
    "hrs": "hours", "hr": "hour", "mins": "minutes", "min": "minutes",
    "okk": "ok", "okay": "ok", "okie": "ok", "okey": "ok", "k": "ok", "kk": "ok", "oky": "ok",
    "yess": "yes", "yesss": "yes", "yea": "yeah", "ya": "yeah", "yaa": "yeah", "yah": "yeah",
    "nahin": "nahi", "nai": "nahi", "nhi": "nahi", "nahii": "nahi", "nehi": "nahi",
    "haa": "haan", "han": "haan", "hanji": "haan ji", "haanji": "haan ji", "hn": "haan",
    "chaiye": "chahiye", "chahie": "chahiye", "chahiyee": "chahiye", "chaahiye": "chahiye",
    "chayie": "chahiye",
    "thik": "theek", "thk": "theek", "tik": "theek",
    "acs": "ac", "a/c": "ac", "airconditioner": "air conditioner",
    "hii": "hi", "hiii": "hi", "hiiii": "hi", "heyy": "hey", "heyyy": "hey", "helo": "hello",
    "hlo": "hello", "hallo": "hello", "hellow": "hello", "hellooo": "hello", "helloo": "hello",
    "byee": "bye", "byeee": "bye", "gud": "good", "gd": "good",
    "dhanyawad": "dhanyavaad", "dhanyavad": "dhanyavaad", "dhanyabad": "dhanyavaad",
    "dhanywad": "dhanyavaad", "shukria": "shukriya", "sukriya": "shukriya",
    "whats": "what is", "thats": "that is", "its": "it is", "im": "i am", "dont": "do not",
    "cant": "cannot", "wont": "will not", "didnt": "did not", "doesnt": "does not", "isnt": "is not",
    "ive": "i have", "id": "i would", "ill": "i will", "lets": "let us",
    "mani-pedi": "manicure pedicure", "bijlee": "bijli", "bijali": "bijli", "saafai": "safai",
    "safayi": "safai", "plumbr": "plumber", "electrican": "electrician", "elctrician": "electrician",
}

_CONTRACTIONS = (
    (r"\bcan't\b", "cannot"), (r"\bwon't\b", "will not"), (r"\bshan't\b", "shall not"),
    (r"n't\b", " not"), (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"),
    (r"'d\b", " would"), (r"\bi'm\b", "i am"), (r"\b(what|that|it|there|here|who|where|how)'s\b", r"\1 is"),
    (r"'s\b", ""), (r"s'\s", "s "),
)

# Everyday words that are never "typo-corrected" into a domain keyword.
_COMMON_WORDS = frozenset("""
a about above after again against all also am an and any anyone anything are around as ask at away be
because been before being below between both but by call came can cannot come coming could day days did do
does doing done down during each else even ever every few for from get gets getting give go goes going gone
good got had has have having he her here hers him his home how i if in into is it its just know last later
let like look looking make many may maybe me might more most much must my need never new next no nor not now
of off ok on once one only or other our out over own please put quite rather really right said same say see
seen she should since so some someone something soon still such take than that the their them then there
these they thing things this those though through till to today too under until up upon us very want was
way we well went were what when where which while who whom whose why will with within without would yes yet
you your yours also already always another because case cost same cash came care case cases cat cats
help helped hello hey hi bye thanks thank great fine sure cool perfect alright yeah yep yup nope nah
people person man men woman women lady ladies guy guys boy boys girl girls wife husband mother father son
daughter family friend friends kid kids child children baby sir madam team staff work works working worked
job jobs place places house flat room rooms floor wall walls door doors window windows roof car cars bike
phone phones mobile laptop laptops computer tv fridge food water gas milk bill money price prices rate
rates charge charges paid pay payment fee fees time times hour hours minute minutes week weeks month months
year years morning evening night noon afternoon today tomorrow yesterday weekend date dates early late
soon asap urgent urgently quickly quick fast slow slowly now then again once twice first second third
last next previous this that those these here there where everywhere nowhere somewhere
sell sale buy bought shop store order orders deliver delivery send sent bring brought take took make made
tell told talk talked speak spoke say says said ask asked answer reply write wrote read play played sing
song music movie movies game games joke jokes poem poems news weather rain hot cold sunny
fix fixed fixing repair repaired broken break breaks working stopped stop start started open opened close
closed free busy available full empty big small large little long short high low old new young
best better worse worst nice bad sad happy angry sorry thank welcome please kindly
who whom why which what how when where whose
yesterday life love hate like likes liked want wants wanted need needs needed
capital country city state india france world minister prime president
sick ill pain doctor hospital medicine process progress problem question questions issue issues
cook cooks cooked cooking cooker drawn dropping drop drops leaving leaves clear clears clearing cleared
shirt shirts cough coughing waking beard wiping wives wines stylish beach bleak cancer react prize pride
prince shots spots slows contract passport logic mourning conform layer layers safari flash flesh cleaver
clearer steak statue older chance shaft roams whale flours floods sundae latter repaid instill sneak
charger chargers tile tiles lock locks drill drills drilling painter painting tiling
train brain grain trained training drained plumper rated races timing opening email emails phony shone
""".split())


# Cue words for intents.  Phrases are matched on whole words.
_HUMAN_NOUNS = frozenset({
    "human", "humans", "person", "agent", "agents", "representative", "rep", "executive", "operator",
    "manager", "supervisor", "insaan", "insan", "aadmi", "admi", "banda", "real person", "customer care",
    "customer service", "customer support", "support team", "support staff", "support executive",
    "support", "someone", "somebody", "anyone", "live agent", "customercare", "helpdesk", "help desk",
    "staff member", "team member", "kisi", "koi",
})
_HUMAN_VERBS = frozenset({
    "talk", "speak", "chat", "connect", "transfer", "baat", "escalate", "complain", "complaint",
    "get me", "put me through", "call me", "call back", "callback", "ring me", "contact me",
    "connect me", "talk to", "speak to", "speak with", "talk with", "chat with", "help from",
})
_HUMAN_ALONE = frozenset({"human", "agent", "operator", "representative", "executive", "real person",
                          "customer support", "customer service", "support", "support team", "helpdesk",
                          "customer care", "live agent", "person", "insaan", "manager", "supervisor",
                          "live chat"})

_CANCEL_WORDS = frozenset({"cancel", "cancelled", "canceled", "cancelling", "canceling", "cancellation",
                           "call off", "hatao", "hata do", "radd"})
_RESCHEDULE_STRONG = frozenset({"reschedule", "rescheduled", "rescheduling", "postpone", "postponed",
                                "prepone", "preponed"})
_RESCHEDULE_WEAK = frozenset({"move", "shift", "change", "changed", "push", "badalna", "badal", "badlo",
                              "badalni", "badli", "aage", "modify", "different time", "another day",
                              "another time", "different day", "other day"})
_POLICY_WORDS = frozenset({
    "policy", "policies", "fee", "fees", "charge", "charges", "charged", "penalty", "refund", "free",
    "what happens", "if", "how do i", "how to", "how can i", "kaise", "lagta", "allowed", "possible",
    "rules", "rule", "deadline", "till when", "how late", "until when", "later", "kab tak", "can i still",
    "within", "last minute", "hours before", "hour before", "cutoff", "cut off",
})
_BOOKING_NOUNS = frozenset({"booking", "bookings", "appointment", "appointments", "order", "orders",
                            "reservation", "reservations", "booked", "slot booking", "visit"})
_POSSESSIVES = frozenset({"my", "meri", "mera", "mere", "maine", "humari", "hamari", "our"})
_STATUS_WORDS = frozenset({"status", "history", "upcoming", "details", "track", "tracking", "confirmed",
                           "scheduled", "go through", "went through", "pending", "past", "previous",
                           "list", "show", "view", "see", "dikhao", "dikha", "batao", "check", "all"})
_COMING_WORDS = frozenset({"coming", "arriving", "arrive", "arrives", "reach", "reaching", "on the way",
                           "aayega", "aayegi", "aa raha", "aa rahi", "aaega", "aaegi", "come today",
                           "turn up", "show up", "here yet", "late", "not come", "not arrived", "not turned up",
                           "not shown up", "not show up", "yet to come", "running late", "still waiting",
                           "nahi aaya", "nahi aayi", "nahi aaye", "kab aayega", "kab aayegi"})
_STATUS_PHRASES = frozenset({"on the way", "not come", "not arrived", "not turned up", "not shown up",
                             "not show up", "yet to come", "running late", "still waiting", "nahi aaya",
                             "nahi aayi", "nahi aaye", "kab aayega", "kab aayegi", "here yet", "come yet",
                             "arrived yet"})

_PRICE_WORDS = frozenset({
    "price", "prices", "pricing", "cost", "costs", "costing", "charge", "charges", "charged", "rate", "rates",
    "fee", "fees", "how much", "kitna", "kitne", "kitni", "rupees", "rs", "inr", "expensive", "cheap",
    "budget", "tariff", "quote", "estimate", "paisa", "paise", "kharcha", "daam", "dam",
})
_DURATION_WORDS = frozenset({"how long", "duration", "how much time", "kitna time", "kitni der",
                             "kitna samay", "time does it take", "time will it take", "long does",
                             "time it takes", "hours does", "takes how", "kitne ghante"})
_INCLUDE_WORDS = frozenset({
    "include", "includes", "included", "including", "covered", "cover", "covers", "what do you do",
    "kya kya", "kya hota", "what is done", "what happens in", "checked", "details", "detail",
    "tell me about", "offer", "offers", "offered", "provide", "provides", "do you do", "do you have",
    "do you offer", "what all", "information", "info", "explain", "what is in", "what comes with",
    "about your", "services", "parts", "materials", "karte ho", "karte hain", "karte hai", "karti ho",
    "karti hain", "hota hai", "hoti hai", "milta hai", "milti hai",
})
_PAYMENT_WORDS = frozenset({"pay", "paying", "payment", "payments", "paid", "upi", "gpay", "google pay",
                            "paytm", "phonepe", "cash", "card", "credit card", "debit card", "upfront",
                            "advance", "online payment", "net banking", "netbanking"})
_GENDER_WORDS = frozenset({"women", "woman", "ladies", "lady", "female", "females", "men", "man", "male",
                           "males", "gents", "guy", "guys", "boys", "boy", "husband", "mard", "aurat",
                           "aurton", "mahila", "girls", "girl", "gentleman", "gentlemen", "son", "brother",
                           "father", "dad", "boyfriend", "himself", "uncle", "nephew", "beta", "bhai sahab",
                           "ladka", "ladke", "purush"})

_AVAIL_STRONG = frozenset({"available", "availability", "availabe", "free", "slot", "slots", "opening",
                           "openings", "khali", "vacant", "timings", "timing", "free time", "kab free",
                           "open slots", "vacancy"})
_AVAIL_WEAK = frozenset({"when can", "kab", "earliest", "soonest", "which days", "which day", "what days",
                         "which time", "which times", "what times", "what time can", "times", "open",
                         "when will", "when are", "how soon", "next available", "aa sakta", "aa sakti",
                         "aa sakte", "milega", "milegi"})
_CAN_COME_RE = re.compile(r"\b(?:can|could|will)\s+(?:the\s+|a\s+|an\s+|your\s+|some\s+|any\s+)?"
                          r"(?!you\b|u\b|i\b|we\b)[a-z]+\s+(?:come|visit|make it)\b")
_BOOK_VERBS = frozenset({"book", "schedule", "reserve", "fix an appointment", "set up"})
# Words of requests; they only feed the typo-correction vocabulary (a request
# is recognised by its service, see _intent).
_NEED_WORDS = frozenset({
    "need", "needed", "needs", "want", "wanted", "require", "required", "requirement", "chahiye",
    "send", "bhejo", "bhej", "bhejna", "bhejiye", "get", "arrange", "looking for", "karwana", "karwani",
    "karwane", "karana", "karani", "karna", "karni", "lagwana", "lagwani", "lagana", "lagani", "fix",
    "repair", "install", "come", "aa jao", "aao", "aaiye", "service", "help", "urgent", "urgently",
    "asap", "problem", "issue", "broken", "not working", "kharab", "kaam", "work", "replaced",
    "replace", "serviced", "done", "can i get", "i would like", "book",
})

_CONFIRM_START = (
    "yes", "yeah", "yep", "yup", "haan", "ha", "ji haan", "haan ji", "ok", "sure", "confirm", "confirmed",
    "alright", "all right", "fine", "perfect", "great", "cool", "done", "go ahead", "sounds good",
    "looks good", "that works", "works for me", "chalega", "theek hai", "theek", "bilkul", "correct",
    "right", "absolutely", "definitely", "of course", "proceed", "book it", "book karo", "book kar do",
    "book that", "kar do", "karo", "please do", "do it", "agreed", "yes please", "yes book", "affirmative",
    "ji", "hmm ok", "sahi hai", "thik hai",
)
_CONFIRM_ANYWHERE = frozenset({"go ahead", "sounds good", "looks good", "that works", "works for me", "works",
                               "is fine", "fine", "suits me", "is good", "perfect", "ok", "okay",
                               "book it", "book that", "book karo", "book kar do", "theek hai", "chalega",
                               "please do", "confirm"})
_DENY_START = (
    "no", "nope", "nah", "na", "nahi", "not", "do not", "never", "mat", "rehne do", "rehne", "leave it",
    "skip", "stop", "later", "maybe later", "not now", "not interested", "never mind", "nevermind", "forget it",
    "cancel that", "nahi chahiye", "bilkul nahi", "dont",
)
_DENY_ANYWHERE = frozenset({"not now", "not interested", "rehne do", "mat karo", "do not book",
                            "do not confirm", "nahi chahiye", "abhi nahi", "never mind", "not this",
                            "not that", "forget it", "no thanks", "no thank you", "leave it"})
_LEADING_FILLERS = frozenset({"ok", "oh", "hmm", "hm", "umm", "um", "well", "actually", "abhi", "arre",
                              "arey", "are", "bhai", "sorry", "maybe", "uh", "ah", "but", "so", "then",
                              "acha", "accha", "achha", "ohh", "oops"})
_THANKS = frozenset({
    "thanks", "thank", "thank you", "shukriya", "dhanyavaad", "bye", "goodbye", "good bye", "bye bye",
    "cya", "see you", "see ya", "alvida", "good night", "take care", "that is all", "that will be all",
    "nothing else", "bas itna hi", "bas itna", "tata", "ttyl", "cheers", "much appreciated",
    "appreciate it",
})
_GREETINGS = frozenset({
    "hi", "hello", "hey", "namaste", "namaskar", "namaskaar", "namastey", "pranam", "yo", "greetings",
    "good morning", "good afternoon", "good evening", "good day", "gm", "hola", "salaam", "salam",
    "assalamualaikum", "sat sri akal", "vanakkam", "howdy", "hiya", "heya", "hi there", "hey there",
})
_GREETING_FILLERS = frozenset({
    "there", "ji", "team", "grihaseva", "sir", "madam", "maam", "mam", "bhaiya", "bhai", "didi", "anyone",
    "anybody", "is", "all", "everyone", "folks", "friend", "how", "are", "you", "doing", "kaise", "ho",
    "aap", "hai", "hain", "what is up", "up", "sup", "whats", "again", "dear", "guys", "to", "hello",
    "hi", "hey", "bot", "chatbot", "griha", "seva", "good", "morning", "evening", "afternoon", "day",
    "people", "buddy", "bro", "am", "i", "fine", "can", "help", "me", "need", "some", "please",
    "could", "namaste", "welcome", "ok",
})
_QUESTION_WORDS = frozenset({"what", "when", "which", "how", "where", "why", "kya", "kab", "kaise",
                             "kitna", "kitne", "kaun", "kahan"})



# The vocabulary a misspelt word may be corrected into: every single-word cue.
def _domain_words() -> frozenset[str]:
    words: set[str] = set()
    groups = [
        _CLEAN, _HUMAN_NOUNS, _HUMAN_VERBS, _CANCEL_WORDS, _RESCHEDULE_STRONG, _RESCHEDULE_WEAK,
        _POLICY_WORDS, _BOOKING_NOUNS, _STATUS_WORDS, _COMING_WORDS, _PRICE_WORDS, _DURATION_WORDS,
        _INCLUDE_WORDS, _PAYMENT_WORDS, _GENDER_WORDS, _AVAIL_STRONG, _AVAIL_WEAK, _BOOK_VERBS, _NEED_WORDS,
        _CONFIRM_START, _DENY_START, _THANKS, _GREETINGS, _WEEKDAYS, _PART_WORDS,
        {"today", "tomorrow", "tonight", "parso", "kal", "aaj", "noon", "midday", "week", "weekend",
         "january", "february", "march", "april", "june", "july", "august", "september", "october",
         "november", "december", "password", "forgot", "reset", "login", "verified", "safety", "contact",
         "email", "phone", "number", "helpline", "cancellation", "booking", "bookings", "service",
         "services", "appointment", "available", "availability", "reschedule", "plumber", "electrician",
         "beautician", "cleaning", "cleaner"},
    ]
    for group in groups:
        for phrase in group:
            for w in phrase.split():
                if len(w) >= 4 and w.isalpha():
                    words.add(w)
    for _, _, rule_groups in _SERVICE_RULES:
        for g in rule_groups:
            for phrase in g:
                words.update(w for w in phrase.split() if len(w) >= 4 and w.isalpha())
    for g in _CATEGORY_WORDS.values():
        for phrase in g:
            words.update(w for w in phrase.split() if len(w) >= 4 and w.isalpha())
    for entry in _faq.default_knowledge().values():  # the FAQ's own keywords
        for phrase in entry.keywords:
            words.update(w for w in re.findall(r"[a-z]+", phrase) if len(w) >= 4)
    return frozenset(words)


_DOMAIN_WORDS = _domain_words()


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\d{1,2}[:.]\d{2}|\d+(?:st|nd|rd|th)\b|\d+/\d+(?:/\d+)?|[a-z0-9]+")


def _normalise_raw(text: str) -> str:
    t = text.lower()
    t = t.replace("’", "'").replace("‘", "'").replace("`", "'")
    t = t.replace("a/c", " ac ").replace("a.m.", " am ").replace("p.m.", " pm ")
    t = re.sub(r"\ba\.m\b", " am ", t)
    t = re.sub(r"\bp\.m\b", " pm ", t)
    for pattern, repl in _CONTRACTIONS:
        t = re.sub(pattern, repl, t)
    t = t.replace("'", "")
    # split glued clock and unit forms: 5pm -> 5 pm, 10:30am -> 10:30 am, 2days -> 2 days
    t = re.sub(r"(\d)(am|pm|baje|bje|hrs|hours|days|day|din)\b", r"\1 \2", t)
    t = re.sub(r"\b(mani)\s*-\s*(pedi)\b", r"manicure pedicure", t)
    t = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", t)  # 4-6 pm -> 4 to 6 pm
    t = t.replace("-", " ")
    return t


@functools.lru_cache(maxsize=4096)
def _correct(token: str) -> str:
    """A misspelt domain keyword corrected ("plumer" -> "plumber"), else the token itself."""
    if (len(token) < 5 or not token.isalpha() or token in _DOMAIN_WORDS or token in _COMMON_WORDS
            or token in _WEEKDAYS or token in _ABBREVIATIONS):
        return token
    limit = 1 if len(token) <= 7 else 2
    candidates = [w for w in _DOMAIN_WORDS if w[0] == token[0] and abs(len(w) - len(token)) <= limit]
    if not candidates:
        return token
    best = process.extractOne(token, candidates, scorer=OSA.distance, score_cutoff=limit)
    if best is None:
        return token
    word, dist, _ = best
    if dist == 2 and token[:2] != word[:2]:  # two edits only when the start agrees
        return token
    return word


def _tokenise(text: str, protected: frozenset[str] = frozenset()) -> list[str]:
    """Normalised tokens; words in `protected` (the catalogue's own names) are never corrected."""
    raw = _TOKEN_RE.findall(_normalise_raw(text))
    out: list[str] = []
    for tok in raw:
        tok = _ABBREVIATIONS.get(tok, tok)
        for part in tok.split():
            out.append(part if part in protected else _correct(part))
    return out


class _Msg:
    """A normalised message: tokens, the joined text and phrase lookups."""

    __slots__ = ("tokens", "text", "_padded", "tokset")

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.text = " ".join(tokens)
        self._padded = f" {self.text} "
        self.tokset = frozenset(tokens)

    def has(self, phrase: str) -> bool:
        if " " not in phrase:
            return phrase in self.tokset
        return f" {phrase} " in self._padded

    def any(self, phrases) -> bool:
        return any(self.has(p) for p in phrases)

    def find(self, phrase: str) -> int:
        """Token index where `phrase` starts, or -1."""
        words = phrase.split()
        n = len(words)
        for i in range(len(self.tokens) - n + 1):
            if self.tokens[i:i + n] == words:
                return i
        return -1



# ---------------------------------------------------------------------------
# Catalogue matching
# ---------------------------------------------------------------------------

@dataclass
class _Matcher:
    """Service and category rules for one catalogue."""

    rules: tuple[tuple[str, int, tuple[frozenset[str], ...]], ...]
    categories: tuple[tuple[str, frozenset[str]], ...]
    service_category: dict[str, str]
    women_only_categories: frozenset[str]
    women_only_services: frozenset[str]
    name_words: frozenset[str]  # words of catalogue names, kept as written


def _name_words(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _GENERIC_NAME_WORDS]


@functools.lru_cache(maxsize=16)
def _matcher(catalogue: tuple[CatalogueEntry, ...]) -> _Matcher:
    slugs = {e.slug for e in catalogue}
    rules = [r for r in _SERVICE_RULES if r[0] in slugs]
    known = {r[0] for r in rules}
    for e in catalogue:
        if e.slug in known:
            continue
        words = _name_words(e.name) or _name_words(e.slug.replace("-", " "))
        if words:  # every significant word of the name must be there
            rules.append((e.slug, 3, tuple(frozenset({w}) for w in words)))
        known.add(e.slug)
    cat_names: dict[str, str] = {}
    for e in catalogue:
        cat_names.setdefault(e.category, e.category_name)
    categories = []
    for cat, name in cat_names.items():
        words = set(_CATEGORY_WORDS.get(cat, ()))
        if cat not in _CATEGORY_WORDS:
            words.update(_name_words(name))
            words.add(cat.replace("-", " "))
        categories.append((cat, frozenset(words)))
    return _Matcher(
        rules=tuple(rules),
        categories=tuple(categories),
        service_category={e.slug: e.category for e in catalogue},
        women_only_categories=frozenset(e.category for e in catalogue if e.women_only),
        women_only_services=frozenset(e.slug for e in catalogue if e.women_only),
        name_words=frozenset(w for e in catalogue for text in (e.name, e.category_name, e.slug, e.category)
                             for w in re.findall(r"[a-z0-9]+", text.lower())),
    )


def _first_index(msg: _Msg, phrases) -> int:
    best = -1
    for p in phrases:
        i = msg.find(p)
        if i >= 0 and (best < 0 or i < best):
            best = i
    return best


def _match_target(msg: _Msg, m: _Matcher) -> tuple[str | None, str | None]:
    best: tuple[int, int, str] | None = None  # (-weight, position, slug)
    for slug, weight, groups in m.rules:
        pos = 10**6
        ok = True
        for g in groups:
            i = _first_index(msg, g)
            if i < 0:
                ok = False
                break
            pos = min(pos, i)
        if ok:
            key = (-weight, pos, slug)
            if best is None or key < best:
                best = key
    if best is not None:
        return best[2], None
    cat_best: tuple[int, str] | None = None
    for cat, words in m.categories:
        i = _first_index(msg, words)
        if i >= 0 and (cat_best is None or i < cat_best[0]):
            cat_best = (i, cat)
    if cat_best is not None:
        return None, cat_best[1]
    return None, None


# ---------------------------------------------------------------------------
# Dates and times
# ---------------------------------------------------------------------------

_dateparser_lock = threading.Lock()
_dateparser_mod = None


def _dateparser():
    global _dateparser_mod
    if _dateparser_mod is None:
        with _dateparser_lock:
            if _dateparser_mod is None:
                import dateparser  # slow import: done once, on first use
                _dateparser_mod = dateparser
    return _dateparser_mod


def _parse_calendar_date(fragment: str, today: date) -> date | None:
    """A date with a month ("28 nov", "dec 3", "28/11"), never before `today`."""
    base = datetime.combine(today, time(0, 0)) - timedelta(seconds=1)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,  # just before today's midnight, so "24 nov" on 24 Nov is today
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month"],
    }
    try:
        parsed = _dateparser().parse(fragment, languages=["en"], settings=settings)
    except Exception:  # dateparser raises on a few odd inputs; a date is optional
        parsed = None
    if parsed is None:
        return None
    d = parsed.date()
    if d < today:  # an explicit past year, or dateparser ignoring the preference
        try:
            d = d.replace(year=today.year + (1 if (d.month, d.day) < (today.month, today.day) else 0))
        except ValueError:
            return None
    return d


def _day_of_month(n: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(3):
        if n >= 1:
            try:
                d = date(year, month, n)
            except ValueError:
                d = None
            if d is not None and d >= today:
                return d
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return None


_REL_DAYS_RE = re.compile(
    r"\b(?:(?:in|after)\s+(?P<n1>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|ek|do|teen|"
    r"char|chaar|paanch|panch)\s+(?P<u1>days?|weeks?|din|hafte|hafta)"
    r"|(?P<n2>\d{1,2}|a|an|one|two|three|four|five|six|seven|ek|do|teen|char|chaar|paanch|panch)\s+"
    r"(?P<u2>days?|weeks?|din|hafte|hafta)\s+(?:later|baad|bad|mein|me|main|from now|after))\b")
_MONTH_DATE_RE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH_RE})\b(?:\s+\d{{4}})?"
    rf"|(?P<m2>{_MONTH_RE})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+\d{{4}})?)")
_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
_ORDINAL_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_ON_DAY_RE = re.compile(r"\b(?:on|by|till|until)\s+(?:the\s+)?(\d{1,2})\b(?!\s*(?::|am|pm|baje|bje|o clock|oclock|"
                        r"hours?|minutes?|days?|din|weeks?|bhk|rupees|rs|people|seats|bathrooms?|rooms?))")


def _extract_day(msg: _Msg, today: date) -> tuple[date | None, int]:
    """The day meant and how many distinct days the message names."""
    text = msg.text
    found: list[tuple[int, date | None]] = []  # (char position, date); None marks a span (no one day)

    def add(pos: int, d: date | None) -> None:
        found.append((pos, d))

    for mt in re.finditer(r"\bday after (?:tomorrow|tommorow|kal)\b|\bparso\b|\bparson\b|\bparsoon\b|"
                          r"\bparsu\b|\bovermorrow\b", text):
        add(mt.start(), today + timedelta(days=2))
    for mt in re.finditer(r"\b(?:tomorrow|kal|kalh)\b", text):
        if text[max(0, mt.start() - 10):mt.start()].endswith("day after "):
            continue
        add(mt.start(), today + timedelta(days=1))
    for mt in re.finditer(r"\b(?:today|aaj|aj|tonight|abhi ke abhi)\b", text):
        add(mt.start(), today)
    for mt in re.finditer(r"\bthis (?:morning|afternoon|evening|night)\b", text):
        add(mt.start(), today)
    for mt in _REL_DAYS_RE.finditer(text):
        n = mt.group("n1") or mt.group("n2")
        unit = mt.group("u1") or mt.group("u2")
        k = int(n) if n.isdigit() else _NUMBER_WORDS.get(n, 0)
        if unit.startswith(("week", "haft")):
            k *= 7
        if 0 < k <= 60:
            add(mt.start(), today + timedelta(days=k))
    for mt in re.finditer(r"\b(?:next|agle|agla|agli|coming)\s+(?:week|hafte|hafta|month|mahine)\b|"
                          r"\b(?:this|is|coming)\s+(?:week|weekend|hafte|hafta|month)\b|\bweekend\b", text):
        add(mt.start(), None)
    # weekday names
    for i, tok in enumerate(msg.tokens):
        wd = _WEEKDAYS.get(tok)
        if wd is None:
            continue
        if tok in ("sat", "sun", "mon", "wed") and i > 0 and msg.tokens[i - 1] in ("i", "the", "we", "a"):
            continue  # "I sat", "the sun"
        prev = msg.tokens[i - 1] if i > 0 else ""
        delta = (wd - today.weekday()) % 7
        if delta == 0:
            delta = 0 if prev in ("this", "is", "aaj", "today") else 7
        pos = len(" ".join(msg.tokens[:i]))
        add(pos, today + timedelta(days=delta))
    # dates with a month
    month_spans = []
    for mt in _MONTH_DATE_RE.finditer(text):
        d = _parse_calendar_date(mt.group(0), today)
        if d is not None:
            add(mt.start(), d)
            month_spans.append((mt.start(), mt.end()))
    for mt in _NUMERIC_DATE_RE.finditer(text):
        dd, mm = int(mt.group(1)), int(mt.group(2))
        if 1 <= dd <= 31 and 1 <= mm <= 12:
            d = _parse_calendar_date(mt.group(0), today)
            if d is not None:
                add(mt.start(), d)
                month_spans.append((mt.start(), mt.end()))

    def in_month_span(pos: int) -> bool:
        return any(a <= pos < b for a, b in month_spans)

    for mt in _ORDINAL_RE.finditer(text):
        if in_month_span(mt.start()):
            continue
        after = text[mt.end():mt.end() + 8]
        if re.match(r"\s*(?:floor|time|person|visit|booking|bhk)", after):
            continue
        d = _day_of_month(int(mt.group(1)), today)
        if d is not None:
            add(mt.start(), d)
    for mt in _ON_DAY_RE.finditer(text):
        if in_month_span(mt.start(1)):
            continue
        n = int(mt.group(1))
        if 1 <= n <= 31:
            d = _day_of_month(n, today)
            if d is not None:
                add(mt.start(), d)
    if not found:
        return None, 0
    # The target of a reschedule ("move tomorrow's booking to friday") is the
    # last date named; with one date named this is simply that date.
    dated = [f for f in found if f[1] is not None]
    if not dated:
        return None, 0
    distinct = len({d for _, d in dated})
    if distinct > 1:
        # "move tomorrow's booking to friday": prefer the date introduced by "to"/"on"/"for"
        for pos, d in sorted(dated, key=lambda f: -f[0]):
            before = text[max(0, pos - 4):pos]
            if re.search(r"\b(?:to|on|for)\s$", before):
                return d, distinct
        # "kal ki booking parso kar do": the later-named date is the new one
        return max(dated, key=lambda f: f[0])[1], distinct
    return min(dated, key=lambda f: f[0])[1], distinct


def _extract_part(msg: _Msg) -> str | None:
    toks = msg.tokens
    for i, tok in enumerate(toks):
        part = _PART_WORDS.get(tok)
        if part is None:
            continue
        if i > 0 and toks[i - 1] in ("good", "gud", "shubh"):
            continue  # greeting / farewell
        return part
    if msg.has("after lunch") or msg.has("post lunch") or msg.has("lunch time"):
        return "afternoon"
    return None


_UNIT_AFTER = (r"(?!\s*(?:days?|din|hours?|hrs?|minutes?|mins?|weeks?|months?|years?|st|nd|rd|th|bhk|"
               r"rupees|rs|people|persons?|seats?|bathrooms?|rooms?|times?|%|/|\d))")
_TIME_PATTERNS = (
    # "between 4 and 6 pm", "4 to 6 pm": the start of the range, with the end's am/pm
    (re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s+(?:and|to|or)\s+\d{1,2}(?:[:.]\d{2})?\s*(am|pm)\b"), "ampm"),
    # half past 4, saade 5
    (re.compile(r"\b(?:half past|saade|sade|sadhe|saadhe)\s+(\d{1,2})\b" + _UNIT_AFTER), "half"),
    (re.compile(r"\bquarter past\s+(\d{1,2})\b" + _UNIT_AFTER), "quarter"),
    # 10:30 am, 6 pm, 5pm
    (re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b"), "ampm"),
    # 17:30, 10.30
    (re.compile(r"\b(\d{1,2})[:.](\d{2})\b"), "hm"),
    # 5 baje, 6 o'clock
    (re.compile(r"\b(\d{1,2})\s*(?:baje|bje|baja|o clock|oclock)\b"), "h"),
    # at 10, by 5, around 4
    (re.compile(r"\b(?:at|by|around|arnd|about|till|until|after|before|from|approx|approximately|"
                r"between|@)\s+(\d{1,2})\b" + _UNIT_AFTER), "h"),
    # shaam 6, morning 7, tomorrow 10, kal 11
    (re.compile(r"\b(?:morning|afternoon|evening|night|tonight|subah|shaam|raat|dopahar|today|tomorrow|"
                r"kal|aaj|parso)\s+(?:ko\s+|at\s+)?(\d{1,2})\b" + _UNIT_AFTER), "h"),
    # 4 in the evening
    (re.compile(r"\b(\d{1,2})\s+(?:in the\s+|at\s+)?(?=morning|afternoon|evening|night|tonight|subah|shaam|"
                r"raat|dopahar)"), "h"),
)


def _resolve_hour(h: int, part: str | None) -> int | None:
    if h > 23:
        return None
    if h >= 13 or h == 0:
        return h
    if part == "morning":
        return 0 if h == 12 else h
    if part in ("afternoon", "evening"):
        return h if h == 12 else h + 12
    if part == "night":
        if h == 12:
            return 0
        return h if h <= 4 else h + 12
    # home-services default: 1-7 -> afternoon/evening, 8-11 -> morning, 12 -> noon
    if 1 <= h <= 7:
        return h + 12
    return h


def _extract_time(msg: _Msg, part: str | None) -> time | None:
    text = msg.text
    for pattern, kind in _TIME_PATTERNS:
        mt = pattern.search(text)
        if not mt:
            continue
        h = int(mt.group(1))
        minute = 0
        if kind == "ampm":
            minute = int(mt.group(2) or 0)
            ampm = mt.group(3)
            if not 1 <= h <= 12 or minute > 59:
                continue
            h = (h % 12) + (12 if ampm == "pm" else 0)
            return time(h, minute)
        if kind == "hm":
            minute = int(mt.group(2))
            if minute > 59:
                continue
        elif kind == "half":
            minute = 30
        elif kind == "quarter":
            minute = 15
        hour = _resolve_hour(h, part)
        if hour is None:
            continue
        return time(hour, minute)
    if msg.has("noon") or msg.has("midday") or msg.has("dopahar 12"):
        if not msg.has("afternoon"):
            return time(12, 0)
    return None


# ---------------------------------------------------------------------------
# Intent
# ---------------------------------------------------------------------------

def _knowledge():
    return _faq.default_knowledge()


def _only(msg: _Msg, allowed: frozenset[str], extra: frozenset[str] = frozenset()) -> bool:
    """True when every token is covered by a phrase of `allowed` or a word of `extra`."""
    toks = msg.tokens
    i = 0
    multi = sorted((p.split() for p in allowed if " " in p), key=len, reverse=True)
    while i < len(toks):
        for words in multi:
            if toks[i:i + len(words)] == words:
                i += len(words)
                break
        else:
            if toks[i] in allowed or toks[i] in extra or toks[i][:1].isdigit():
                i += 1
            else:
                return False
    return True


def _strip_leading(msg: _Msg) -> list[str]:
    toks = list(msg.tokens)
    while toks and toks[0] in _LEADING_FILLERS and len(toks) > 1:
        toks = toks[1:]
    return toks


def _starts(tokens: list[str], phrases) -> str | None:
    best = None
    for p in phrases:
        words = p.split()
        if tokens[:len(words)] == words and (best is None or len(words) > len(best.split())):
            best = p
    return best


def _oov_words(msg: _Msg) -> list[str]:
    return [t for t in msg.tokens if t.isalpha() and len(t) >= 3 and t not in _DOMAIN_WORDS
            and t not in _COMMON_WORDS and t not in _GREETING_FILLERS and t not in _HINGLISH_FUNCTION]


_HINGLISH_FUNCTION = frozenset({
    "hai", "hain", "ho", "kya", "ka", "ki", "ke", "ko", "se", "me", "mein", "mujhe", "muje", "humein",
    "aap", "aapke", "aapka", "apka", "apke", "tum", "tumhara", "kar", "karo", "karna", "karni", "karte",
    "karta", "kiya", "liye", "lie", "wala", "wali", "wale", "bhi", "toh", "to", "aur", "ya", "jo", "ek",
    "koi", "kuch", "kitna", "kitne", "kitni", "kab", "kaise", "kaun", "kahan", "yeh", "ye", "woh", "wo",
    "tha", "thi", "the", "gaya", "gayi", "raha", "rahi", "rahe", "sakta", "sakti", "sakte", "dena", "do",
    "de", "dijiye", "please", "ji", "bhaiya", "didi", "abhi", "bahut", "bohot", "accha", "acha", "theek",
    "nahi", "haan", "mera", "meri", "mere", "hum", "humara", "hamara", "apna", "apni", "iska", "uska",
    "kis", "kisi", "sab", "saara", "sara", "bas", "jaldi", "zara", "batao", "bataiye", "dikhao",
})


_GENDER_WEAK = frozenset({"guy", "guys", "man", "boy", "boys", "girl", "girls", "men"})
_PROFESSIONALS = frozenset({"professional", "professionals", "worker", "workers", "staff", "technician",
                            "technicians", "expert", "experts", "stylist", "provider", "providers"})


def _faq_topic(msg: _Msg, target: tuple[str | None, str | None], m: _Matcher, when: bool = False) -> str | None:
    """The FAQ topic this message asks about, with each topic's own gate, or None."""
    scores = _faq.score_faq(msg.text, _knowledge())
    service, category = target
    has_target = bool(service or category)
    beauty = bool((service and service in m.women_only_services)
                  or (category and category in m.women_only_categories)
                  or msg.any(("beauty", "beautician", "beauticians", "parlour", "parlor", "salon")))
    only = msg.any(("only", "exclusive", "exclusively"))
    gender = msg.any(_GENDER_WORDS - _GENDER_WEAK) or ((beauty or only) and msg.any(_GENDER_WEAK))
    if gender and (beauty or only or has_target or msg.any(_PROFESSIONALS)) and not (
            when and not only) and not (msg.any(_AVAIL_STRONG) and not only):
        scores = dict(scores)
        scores["women_only"] = max(scores.get("women_only", 0), 2)
    allowed: dict[str, int] = {}
    for topic, score in scores.items():
        if topic == "women_only":
            if not gender:
                continue
            if when and not only:
                continue  # "I need a lady beautician tomorrow at 5" is a booking
            if not (beauty or only or has_target or msg.any(_PROFESSIONALS)):
                continue
        elif topic == "prices":
            if not msg.any(_PAYMENT_WORDS):
                if has_target or _oov_words(msg):
                    continue
        elif topic == "booking":
            if has_target:
                continue
        elif topic == "contact":
            if msg.any(("talk", "speak", "chat", "connect", "transfer", "baat")):
                continue
        allowed[topic] = score
    if not allowed:
        return None
    order = {t: i for i, t in enumerate(_knowledge())}
    return max(allowed, key=lambda t: (allowed[t], -order.get(t, 99)))


def _intent(msg: _Msg, target, when: bool, m: _Matcher, n_days: int = 0) -> tuple[str, str | None]:
    service, category = target
    has_target = bool(service or category)
    toks = msg.tokens
    n = len(toks)
    if n == 0:
        return "fallback", None

    # --- a person -----------------------------------------------------------
    if not has_target:
        if msg.any(_HUMAN_VERBS) and msg.any(_HUMAN_NOUNS - {"anyone"}):
            if not msg.any(("number", "email", "phone number", "mail", "hours", "timings")) \
                    or msg.any(("talk", "speak", "connect", "transfer", "baat")):
                return "human", None
        if msg.any(("call me", "call me back", "callback", "call back", "ring me")):
            return "human", None
        if msg.any(_HUMAN_ALONE) and _only(msg, _HUMAN_ALONE, frozenset({
                "please", "a", "an", "the", "now", "want", "i", "need", "real", "live", "to", "with", "chat",
                "talk", "me"})):
            return "human", None
    if msg.any(("complaint", "complain", "escalate", "shikayat")) and not msg.any(
            ("number", "email", "mail", "phone", "address", "hours", "id", "contact")):
        return "human", None

    # --- account help ---------------------------------------------------------
    topic = _faq_topic(msg, target, m, when)
    if topic == "password_reset":
        return "faq", topic

    # --- cancel / reschedule (an action, or a policy question) ---------------
    cancel = msg.any(_CANCEL_WORDS) or (
        msg.any(("anymore", "any more", "no longer")) and msg.any(("do not", "no longer", "not")))
    resched = msg.any(_RESCHEDULE_STRONG)
    if not resched and msg.any(_RESCHEDULE_WEAK):
        anchored = (msg.any(_BOOKING_NOUNS) or msg.any(("time", "date", "slot", "timing", "move it",
                                                         "shift it", "change it", "push it"))
                    or (has_target and _verb_then_mine(msg))
                    or (msg.has("to") and when and len(msg.tokens) <= 6))  # "shift to monday"
        resched = anchored and not msg.any(("change password", "change my password"))
    if not resched and n_days > 1 and msg.any(_BOOKING_NOUNS):
        resched = True  # "kal ki booking parso kar do": a booking and two different days
    if cancel or resched:
        if msg.any(_POLICY_WORDS) or msg.any(("cancellation policy", "policy")):
            return "faq", "cancellation"
        if cancel and _starts(_strip_leading(msg), ("no", "nahi", "nope")) and n <= 3:
            return "deny", None
        return "cancel_reschedule", None

    # --- FAQ about how booking works (before "my booking" status) -------------
    if topic == "booking":
        return "faq", topic

    # --- my bookings ------------------------------------------------------------
    if _is_my_bookings(msg, has_target):
        return "my_bookings", None

    # --- other FAQ topics -------------------------------------------------------
    if topic in ("women_only", "safety", "contact", "cancellation"):
        return "faq", topic
    if topic == "prices" and msg.any(_PAYMENT_WORDS):
        return "faq", topic

    # --- service information ------------------------------------------------
    cost_or_time = msg.any(_PRICE_WORDS) or msg.any(_DURATION_WORDS)
    info = cost_or_time or (msg.any(_INCLUDE_WORDS) and not msg.any(_AVAIL_STRONG) and not when
                            and not _CAN_COME_RE.search(msg.text))
    if has_target and info and not msg.any(_BOOK_VERBS - {"book"}) and not (
            msg.has("book") and when):
        return "service_info", None
    if not has_target and msg.any(("services", "service list")) and msg.any(
            ("offer", "provide", "have", "list", "available", "kya", "what")):
        if not when:
            return "service_info", None
    if topic == "prices":
        return "faq", topic

    # --- short yes / no --------------------------------------------------------
    yn = _yes_no(msg, has_target)
    if yn:
        return yn, None

    # --- availability -----------------------------------------------------------
    avail_strong = msg.any(_AVAIL_STRONG)
    avail_weak = msg.any(_AVAIL_WEAK) or bool(_CAN_COME_RE.search(msg.text))
    explicit_book = msg.any(_BOOK_VERBS) and not msg.any(("book it", "book that"))
    if (avail_strong or avail_weak) and not explicit_book:
        if has_target or when or msg.any(("slot", "slots", "availability", "available", "openings")):
            if avail_strong or has_target:
                return "find_slots", None

    # --- a request for a service -----------------------------------------------
    if has_target:
        return "book", None
    if when and (msg.any(_BOOK_VERBS) or msg.any(("need", "want", "chahiye", "send", "bhejo", "someone",
                                                  "somebody", "kisi", "koi"))):
        return "book", None

    # --- a bare date or time: the customer answering "when?" while booking ----
    if when and _only(msg, _WHEN_WORDS, _WHEN_FILLERS):
        return "book", None

    # --- "I want to book" with no service yet -------------------------------------
    if msg.any(("book", "schedule", "book karna", "booking karni", "booking karna", "new booking",
                "make a booking", "place an order", "new appointment")) and not _oov_heavy(msg):
        return "book", None

    # --- small talk -------------------------------------------------------------
    if msg.any(_THANKS) and not _oov_heavy(msg):
        return "thanks_bye", None
    if _is_greeting(msg):
        return "greeting", None
    loose = _loose_yes_no(msg)
    if loose:
        return loose, None
    return "fallback", None


_WHEN_WORDS = frozenset(set(_WEEKDAYS) | set(_PART_WORDS) | {
    "today", "tomorrow", "tonight", "kal", "aaj", "parso", "day after tomorrow", "day after", "noon",
    "midday", "am", "pm", "baje", "bje", "oclock", "o clock", "days", "day", "din", "week", "weeks",
    "baad", "later", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    "january", "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december"})
_WHEN_FILLERS = frozenset({"at", "on", "the", "this", "next", "coming", "in", "after", "by", "around", "ko",
                           "of", "for", "is", "please", "ok", "then", "maybe", "how", "about", "se", "me",
                           "mein", "and", "or", "evening", "agle", "a", "an", "one", "two", "three", "after",
                           "between", "till", "until", "before", "anytime", "any", "time"})


def _verb_then_mine(msg: _Msg) -> bool:
    """A move/shift/change verb followed closely by "my"/"the"/"it" ("push my facial to friday")."""
    toks = msg.tokens
    for i, tok in enumerate(toks):
        if tok in _RESCHEDULE_WEAK:
            if any(w in ("my", "meri", "mera", "mere", "the", "it", "tomorrow", "today") for w in toks[i + 1:i + 3]):
                return True
    return False


def _oov_heavy(msg: _Msg) -> bool:
    oov = _oov_words(msg)
    return len(oov) >= 2 and len(oov) * 2 >= len(msg.tokens)


def _is_my_bookings(msg: _Msg, has_target: bool) -> bool:
    toks = msg.tokens
    noun_idx = [i for i, t in enumerate(toks) if t in _BOOKING_NOUNS]
    poss_idx = [i for i, t in enumerate(toks) if t in _POSSESSIVES]
    # "my bookings", "meri kal ki booking", "my AC service booking"
    for i in noun_idx:
        if any(0 < i - j <= 4 for j in poss_idx):
            return True
        if any(0 < j - i <= 2 for j in poss_idx) and toks[i] != "booked":
            return True  # "booking meri"
    if msg.any(("i booked", "have i booked", "did i book", "i have booked", "i had booked", "maine book",
                "what all have i booked", "we booked", "i made")) and not msg.has("how"):
        return True
    if noun_idx and msg.any(_STATUS_WORDS - {"see", "check", "all", "list", "show", "view"}):
        return True
    if noun_idx and msg.any(("show", "view", "list", "see", "check", "dikhao", "dikha", "batao")):
        return True
    if noun_idx and msg.any(("do i have", "have i", "any bookings", "any booking")):
        return True
    if msg.any(_POSSESSIVES) and has_target and (msg.any(_COMING_WORDS) or msg.any(
            ("status", "where is", "what time is", "when is", "confirmed", "scheduled", "booked"))):
        return True
    if msg.any(("when is", "where is", "what time is", "kab")) and msg.any(_COMING_WORDS):
        return True
    if msg.any(("where is my", "what time is my", "when is my")) or msg.any(_STATUS_PHRASES):
        return True
    return False


def _yes_no(msg: _Msg, has_target: bool) -> str | None:
    """A short explicit yes/no reply (possibly with a time), else None."""
    if has_target or len(msg.tokens) > 8:
        return None
    toks = _strip_leading(msg)
    if not toks:
        return None
    question = any(t in _QUESTION_WORDS for t in toks)
    deny = _starts(toks, _DENY_START)
    if deny and not question:
        return "deny"
    if msg.any(_DENY_ANYWHERE) and len(msg.tokens) <= 6:
        return "deny"
    if msg.any(_THANKS):
        return None  # "ok thanks", "great, thanks!" are a goodbye
    confirm = _starts(toks, _CONFIRM_START) or _starts(list(msg.tokens), _CONFIRM_START)
    if confirm and not question:
        return "confirm"
    return None


def _loose_yes_no(msg: _Msg) -> str | None:
    if len(msg.tokens) > 6:
        return None
    if msg.any(_DENY_ANYWHERE):
        return "deny"
    if msg.any(_CONFIRM_ANYWHERE):
        return "confirm"
    return None


def _is_greeting(msg: _Msg) -> bool:
    if not msg.any(_GREETINGS):
        return False
    return _only(msg, _GREETINGS, _GREETING_FILLERS)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def understand(text: str, now: datetime, catalogue: Sequence[CatalogueEntry]) -> Understanding:
    """Understand one customer message.

    `now` is the current time in the provider-local zone; relative dates
    ("tomorrow", "this saturday") resolve from its calendar date.
    """
    m = _matcher(tuple(catalogue))
    msg = _Msg(_tokenise(text or "", m.name_words))
    service, category = _match_target(msg, m)
    today = now.date()
    day, n_days = _extract_day(msg, today)
    part = _extract_part(msg)
    if day is None and part == "night" and msg.has("tonight"):
        day = today
    at = _extract_time(msg, part)
    when = day is not None or part is not None or at is not None
    intent, topic = _intent(msg, (service, category), when, m, n_days)
    u = Understanding(intent=intent, service=service, category=category, day=day, part_of_day=part, at=at,
                      faq=topic if intent == "faq" else None)
    u.yes = intent == "confirm"
    u.no = intent == "deny"
    return u
