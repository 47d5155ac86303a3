"""The dashboard's words, Swedish first and English as the reader's choice: every label, and
every code the API answers with (statuses, decline reasons), turned into words here, so the
page never mixes an English code into a Swedish sentence. A panel's own labels go in its own
block; a missing label reads as its key, so a gap shows instead of breaking the page."""

from __future__ import annotations

from app.vocabulary import (
    ELIGIBILITY_RULE_TEXT,
    SAT_OUT_TEXT,
    DeclineReason,
    Language,
    OtherRound,
    ProposalStatus,
    RoundStatus,
    SignalKind,
    TargetGroup,
)

Lang = Language
LANGS: tuple[Lang, ...] = tuple(Language)

LABELS: dict[str, tuple[str, str]] = {
    # The page
    "title": ("En väg in – översikt", "En väg in – overview"),
    "sign_in": ("Logga in", "Sign in"),
    "sign_out": ("Logga ut", "Sign out"),
    "sign_in_help": (
        "Med dina klientuppgifter (samma som i Swagger UI).",
        "With your client credentials (the same as in Swagger UI).",
    ),
    "client_id": ("Klient-id", "Client id"),
    "client_secret": ("Hemlighet", "Secret"),
    "expired": ("Inloggningen har gått ut. Logga in igen.", "Signed out: sign in again."),
    "sign_in_cancelled": ("Inloggningen avbröts.", "Signing in was cancelled."),
    "sign_in_failed": ("Inloggningen misslyckades.", "Signing in failed."),
    "retry_in": ("Försöker igen om", "Trying again in"),
    "action_failed": ("Åtgärden misslyckades:", "The action failed:"),
    "other_language": ("English", "Svenska"),
    "coordinator_page": ("Samordnarens sida", "The coordinator's page"),
    "social_page": ("Socialsekreterarens sida", "The social secretary's page"),
    "case": ("Ärende", "Case"),
    "flat": ("Lägenhet", "Flat"),
    "landlord": ("Hyresvärd", "Landlord"),
    "area": ("Område", "Area"),
    "status": ("Status", "Status"),
    "reason": ("Skäl", "Reason"),
    "rent": ("Hyra", "Rent"),
    "address": ("Adress", "Address"),
    "floor": ("Våning", "Floor"),
    "lift": ("Hiss", "Lift"),
    "living_area": ("Boarea", "Living area"),
    "move_in": ("Inflyttning", "Move-in"),
    "rooms": ("Rum", "Rooms"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "sek_month": ("kr/mån", "SEK/month"),
    # The coordinator's to-do lists
    "to_release": ("Förslag att släppa till hyresvärden", "Proposals to release to the landlord"),
    "round_of": ("Omgång", "Round"),
    "release": ("Släpp", "Release"),
    "release_all": ("Släpp alla", "Release all"),
    "forbid": ("Spärra paret", "Forbid the pair"),
    "pin": ("Lås paret", "Pin the pair"),
    "nothing_to_release": ("Inga förslag väntar på att släppas.", "No proposal awaits release."),
    "needs_round": (
        "Avböjda och utgångna förslag – behöver en ny omgång",
        "Declined and expired proposals – need a new round",
    ),
    "nothing_declined": ("Inga avböjda eller utgångna förslag.", "No declined or expired one."),
    "unmatched": (
        "Hushåll utan förslag i senaste omgången",
        "Households without a proposal in the last round",
    ),
    "no_unmatched": ("Alla hushåll i omgången fick förslag.", "Every household got a proposal."),
    "no_round": ("Ingen omgång har körts ännu.", "No round has run yet."),
    "taken": (
        "Lämpliga lägenheter gick till hushåll med högre prioritet, eller en kvot var fylld.",
        "Suitable flats went to households of higher priority, or a quota was full.",
    ),
    "start_round": ("Starta matchningsomgång", "Start a matching round"),
    "sat_out": (
        "Hushåll som stod över omgången",
        "Households that sat the round out",
    ),
    # The older panels: quota, waiting, awaiting, due, rounds, prevention
    "cut_short": (
        "Fler än {n} poster i {lists}: panelerna räknar bara de första {n}. Hämta hela "
        "listan i API:et.",
        "More than {n} entries in {lists}: the panels count only the first {n}. Fetch the "
        "whole list from the API.",
    ),
    "quota_title": ("Kvotuppfyllelse", "Quota delivered"),
    "quota": ("Kvot", "Quota"),
    "expected_to_date": ("Förväntat hittills", "Expected to date"),
    "delivered": ("Levererat", "Delivered"),
    "remaining": ("Kvar", "Remaining"),
    "no_agreements": ("Inga avtal för", "No agreements for"),
    "quota_chart": (
        "Kvot, förväntat hittills och levererat per hyresvärd",
        "Quota, expected to date and delivered per landlord",
    ),
    "waiting_title": ("Väntande hushåll", "Households waiting"),
    "waiting_chart": (
        "Väntande hushåll efter väntetid och angelägenhet",
        "Households waiting by time waited and urgency",
    ),
    "awaiting_title": ("Förslag som väntar på svar", "Proposals awaiting an answer"),
    "answers": ("Svarar", "Answers"),
    "by": ("Senast", "By"),
    "nothing_awaiting_answer": ("Inga förslag väntar på svar.", "No proposal awaits an answer."),
    "whose_turn_landlord": ("Hyresvärden", "The landlord"),
    "whose_turn_household": ("Hushållet", "The household"),
    "due_title": (
        "Boenden med steg eller svar som förfaller",
        "Tenancies with a step or an answer due",
    ),
    "what": ("Vad", "What"),
    "fell_due": ("Förföll", "Fell due"),
    "nothing_due": ("Inget förfaller.", "Nothing is due."),
    "due_step": ("Steg på trappan", "A step on the staircase"),
    "due_response": ("Svar till hyresvärden försenat", "Answer to the landlord overdue"),
    "rounds_title": ("Senaste matchningsomgångarna", "The latest matching rounds"),
    "started": ("Startad", "Started"),
    "finished": ("Klar", "Finished"),
    "progress": ("Förlopp", "Progress"),
    "what_if": ("tänkt", "what-if"),
    "compare_previous": ("Jämför med föregående", "Compare with the previous"),
    "no_rounds": ("Inga omgångar ännu.", "No rounds yet."),
    "updated": ("Uppdaterad", "Updated"),
    "municipality": ("kommun", "municipality"),
    "list_open_cases": ("öppna ärenden", "open cases"),
    "list_released": ("släppta förslag", "released proposals"),
    "list_landlord_accepted": (
        "förslag hyresvärden accepterat",
        "proposals the landlord accepted",
    ),
    "list_steps": ("boenden med steg", "tenancies with a step"),
    "list_responses": ("boenden med försenat svar", "tenancies with an answer overdue"),
    "list_to_release": ("förslag att släppa", "proposals to release"),
    "list_needs_round": ("avslutade förslag", "ended proposals"),
    "list_with_household": ("förslag hos hushållet", "proposals with the household"),
    "prevention_title": ("Vräkningsförebyggande", "Eviction prevention"),
    "open": ("öppna", "open"),
    "past_deadline": ("passerat tidsfristen utan kontakt", "past the deadline without contact"),
    "due_today": ("förfaller i dag", "due today"),
    "kind": ("Slag", "Kind"),
    "priority": ("Prioritet", "Priority"),
    "deadline": ("Tidsfrist", "Deadline"),
    # Two rounds compared (the rounds panel's link)
    "compare_title": ("Jämförelse av två omgångar", "Two rounds compared"),
    "previous_round": ("Föregående", "Previous"),
    "this_round": ("Denna", "This one"),
    "households_in_round": ("Hushåll i omgången", "Households in the round"),
    "households_housed": ("Hushåll som fått förslag", "Households given a proposal"),
    "total_weight": ("Σ vikt", "Σ weight"),
    "exception_places": ("Undantagsplatser", "Exception places"),
    "waiting_days_housed": (
        "Väntedagar, fått förslag (median)",
        "Days waited, given a proposal (median)",
    ),
    "target_group": ("Målgrupp", "Target group"),
    "only_first": (
        "Fick förslag i föregående omgång men inte i denna",
        "Given a proposal by the previous round, not by this one",
    ),
    "only_second": (
        "Fick förslag i denna omgång men inte i föregående",
        "Given a proposal by this round, not by the previous one",
    ),
    "in_both": ("Fick förslag i båda", "Given a proposal by both"),
    "in_this": ("i denna", "in this one"),
    "in_previous": ("i föregående", "in the previous one"),
    # The social secretary's page
    "my_households": ("Hushållen", "The households"),
    "urgency": ("Angelägenhet", "Urgency"),
    "no_households": ("Inga öppna ärenden.", "No open case."),
    "awaiting_household": (
        "Förslag som väntar på hushållets svar",
        "Proposals awaiting the household's answer",
    ),
    "nothing_awaiting": ("Inga förslag väntar på hushållets svar.", "No proposal awaits."),
    "accept": ("Tacka ja", "Accept"),
    "decline": ("Tacka nej", "Decline"),
    "answer_by": ("Svara senast", "Answer by"),
}

STATUS: dict[str, tuple[str, str]] = {
    ProposalStatus.proposed: ("föreslaget", "proposed"),
    ProposalStatus.released: ("hos hyresvärden", "with the landlord"),
    ProposalStatus.landlord_accepted: ("hos hushållet", "with the household"),
    ProposalStatus.landlord_declined: ("hyresvärden sa nej", "declined by the landlord"),
    ProposalStatus.household_accepted: ("hushållet sa ja", "accepted by the household"),
    ProposalStatus.household_declined: ("hushållet sa nej", "declined by the household"),
    ProposalStatus.contracted: ("kontrakt skrivet", "contracted"),
    ProposalStatus.expired: ("svarstiden gick ut", "expired"),
    ProposalStatus.withdrawn: ("återtaget", "withdrawn"),
    RoundStatus.queued: ("i kö", "queued"),
    RoundStatus.running: ("pågår", "running"),
    RoundStatus.succeeded: ("klar", "done"),
    RoundStatus.failed: ("misslyckades", "failed"),
}
"""Proposal and round statuses in words (their codes do not overlap but for `failed`, a
round's only)."""

DECLINE_REASONS: dict[str, tuple[str, str]] = {
    DeclineReason.economic_requirements: ("uppfyller inte de ekonomiska kraven", "economy"),
    DeclineReason.references: ("referenser", "references"),
    DeclineReason.household_size: ("hushållets storlek", "household size"),
    DeclineReason.unit_unavailable: ("lägenheten kan inte hyras ut", "flat unavailable"),
    DeclineReason.location: ("läget", "location"),
    DeclineReason.size: ("storleken", "size"),
    DeclineReason.rent: ("hyran", "rent"),
    DeclineReason.accessibility: ("tillgängligheten", "accessibility"),
    DeclineReason.declined_offer: ("hushållet tackade nej", "the household declined"),
    DeclineReason.other: ("annat", "other"),
}


OTHER_ROUND: dict[str, tuple[str, str]] = {
    OtherRound.sat_out: ("stod över", "sat out"),
    OtherRound.unmatched: ("var med men fick inget förslag", "took part and got no proposal"),
    OtherRound.not_in_round: (
        "fanns inte bland omgångens hushåll",
        "was not among the round's households",
    ),
}
"""What happened in the other round to a household one round of a comparison housed."""

TARGET_GROUPS: dict[str, tuple[str, str]] = {
    TargetGroup.violence_exposed: ("Våldsutsatta", "Exposed to violence"),
    TargetGroup.protected_identity: ("Skyddad identitet", "Protected identity"),
    TargetGroup.newly_arrived: ("Nyanlända", "Newly arrived"),
    TargetGroup.substance_recovery: ("Missbruk, i behandling", "Substance use, in treatment"),
    TargetGroup.psychiatric_disability: ("Psykisk funktionsnedsättning", "Psychiatric disability"),
    TargetGroup.family_with_children: ("Barnfamiljer", "Families with children"),
    TargetGroup.young_adult: ("Unga vuxna", "Young adults"),
    TargetGroup.elderly: ("Äldre", "Elderly"),
    TargetGroup.released_from_prison: ("Frigivna", "Released from prison"),
    TargetGroup.economic_only: ("Enbart ekonomiska skäl", "Economic reasons only"),
    TargetGroup.housing_first: ("Bostad först", "Housing First"),
}
"""The target groups' names; an unknown code shows as itself."""


URGENCY_BANDS: dict[int, tuple[str, str]] = {
    0: ("Normal", "Normal"),
    1: ("Förhöjd", "Raised"),
    2: ("Hög", "High"),
    3: ("Akut", "Acute"),
}
"""A case's urgency (0–3) as the waiting panel's bands."""

MONTH_BUCKETS: dict[str, tuple[str, str]] = {
    "0-1": ("0–1 mån", "0–1 mo"),
    "1-3": ("1–3 mån", "1–3 mo"),
    "3-6": ("3–6 mån", "3–6 mo"),
    "6-12": ("6–12 mån", "6–12 mo"),
    "12+": ("12+ mån", "12+ mo"),
}
"""The waiting histogram's bars (app/dashboard/service.py: `MONTH_BUCKETS`)."""

PREVENTION_KINDS: dict[str, tuple[str, str]] = {
    SignalKind.termination_notice: ("Uppsägning (12:44)", "Notice to quit (12:44)"),
    SignalKind.eviction_application: ("Ansökan om avhysning", "Application for eviction"),
    SignalKind.eviction_date: ("Avhysningsdag", "Eviction day"),
    SignalKind.late_payment: ("Sen hyra", "Late rent"),
    SignalKind.disturbance: ("Störning", "Disturbance"),
    SignalKind.other: ("Annat", "Other"),
}
"""An eviction-prevention signal's kind."""

TABLES: tuple[dict[str, tuple[str, str]], ...] = ()
"""Every table of words (filled below, once all are defined): what a test walks to find a
Swedish word on the English page."""


def _pick(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    pair = table.get(key)
    return key if pair is None else pair[LANGS.index(lang)]


def label(key: str, lang: Lang) -> str:
    return _pick(LABELS, key, lang)


def status(code: str, lang: Lang) -> str:
    return _pick(STATUS, code, lang)


def decline_reason(code: str | None, lang: Lang) -> str:
    return "–" if code is None else _pick(DECLINE_REASONS, code, lang)


def rule(code: str, lang: Lang) -> str:
    """An eligibility rule in one line (app/vocabulary.py holds both languages)."""
    return _pick(ELIGIBILITY_RULE_TEXT, code, lang)


def sat_out_reason(code: str, lang: Lang) -> str:
    """Why a household sat a round out, in one line (app/vocabulary.py holds both)."""
    return _pick(SAT_OUT_TEXT, code, lang)


def other_round(code: str, lang: Lang) -> str:
    return _pick(OTHER_ROUND, code, lang)


def target_group(code: str, lang: Lang) -> str:
    return _pick(TARGET_GROUPS, code, lang)


def urgency_band(urgency: int, lang: Lang) -> str:
    return URGENCY_BANDS.get(urgency, URGENCY_BANDS[0])[LANGS.index(lang)]


def month_bucket(code: str, lang: Lang) -> str:
    return _pick(MONTH_BUCKETS, code, lang)


def prevention_kind(code: str, lang: Lang) -> str:
    return _pick(PREVENTION_KINDS, code, lang)


TABLES = (
    LABELS,
    STATUS,
    DECLINE_REASONS,
    OTHER_ROUND,
    TARGET_GROUPS,
    MONTH_BUCKETS,
    PREVENTION_KINDS,
    {str(k): v for k, v in URGENCY_BANDS.items()},
    ELIGIBILITY_RULE_TEXT,
    SAT_OUT_TEXT,
)
