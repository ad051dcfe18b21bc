"""Triage table (every rule, per-community overrides) and automatic assignment
(round-robin, languages, capacity, leads last, nobody available, reassignment)."""

from __future__ import annotations

import pytest

from bot.policy.assignment import (
    NOBODY_AVAILABLE,
    Moderator,
    choose_assignee,
    needs_reassignment,
)
from bot.policy.triage import (
    DEFAULT_TRIAGE_POLICY,
    PRIORITY_RANK,
    TriageDecision,
    TriagePolicy,
    decide,
)


def member(
    intent: str,
    *,
    uncertain: bool = False,
    dm: bool = False,
    policy: TriagePolicy = DEFAULT_TRIAGE_POLICY,
) -> TriageDecision:
    return decide(intent, uncertain, dm, None, False, policy)


# ------------------------------------------------------------------------ public messages


@pytest.mark.parametrize(
    ("intent", "category", "priority"),
    [
        ("purchase", "purchase", "high"),
        ("complaint", "complaint", "urgent"),
        ("support", "support", "normal"),
    ],
)
def test_ticket_intents(intent: str, category: str, priority: str) -> None:
    decision = member(intent)
    assert decision.make_ticket
    assert (decision.category, decision.priority, decision.count_as) == (category, priority, intent)
    assert decision.react is None
    assert decision.reason


def test_purchase_is_a_lead_and_complaint_is_protected() -> None:
    assert member("purchase").is_lead and not member("purchase").protected
    assert member("complaint").protected and not member("complaint").is_lead
    assert not member("support").protected and not member("support").is_lead


@pytest.mark.parametrize("intent", ["purchase", "complaint", "support", "praise", "other"])
def test_uncertain_verdicts_need_triage(intent: str) -> None:
    decision = member(intent, uncertain=True)
    assert decision.make_ticket
    assert (decision.category, decision.priority) == ("needs_triage", "normal")
    assert decision.count_as == intent
    assert "needs triage" in decision.reason
    # An unsure complaint is still never removed automatically.
    assert decision.protected is (intent == "complaint")


def test_praise_is_counted_with_an_optional_reaction() -> None:
    decision = member("praise")
    assert not decision.make_ticket
    assert (decision.count_as, decision.react, decision.priority) == ("praise", None, None)
    reacting = TriagePolicy.from_dict({"intents": {"praise": {"react": "❤"}}})
    assert member("praise", policy=reacting).react == "❤"
    assert not member("praise", policy=reacting).make_ticket


def test_other_is_only_counted() -> None:
    decision = member("other")
    assert not decision.make_ticket
    assert (decision.count_as, decision.react) == ("other", None)


@pytest.mark.parametrize(
    ("uncertain", "dm"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_spam_makes_no_ticket_here(uncertain: bool, dm: bool) -> None:
    decision = member("spam", uncertain=uncertain, dm=dm)
    assert not decision.make_ticket
    assert decision.count_as == "spam"
    assert "spam policy" in decision.reason


def test_unknown_intent_needs_triage() -> None:
    decision = member("pizza")
    assert decision.make_ticket and decision.category == "needs_triage"


# ---------------------------------------------------------------------------------- DMs


@pytest.mark.parametrize(
    ("intent", "category", "priority"),
    [
        ("purchase", "purchase", "high"),
        ("complaint", "complaint", "urgent"),
        ("support", "support", "normal"),
        ("praise", "praise", "normal"),
        ("other", "other", "normal"),
    ],
)
def test_every_dm_is_a_ticket_with_the_classifiers_category(
    intent: str, category: str, priority: str
) -> None:
    decision = member(intent, dm=True)
    assert decision.make_ticket
    assert (decision.category, decision.priority, decision.count_as) == (category, priority, intent)
    assert "DM" in decision.reason


def test_unsure_dm_needs_triage() -> None:
    decision = member("praise", uncertain=True, dm=True)
    assert decision.make_ticket
    assert (decision.category, decision.priority) == ("needs_triage", "normal")


def test_dms_can_follow_the_public_table() -> None:
    policy = TriagePolicy.from_dict({"dm_always_ticket": False})
    assert not member("praise", dm=True, policy=policy).make_ticket
    assert member("purchase", dm=True, policy=policy).make_ticket


# -------------------------------------------------------------------------- staff and own


@pytest.mark.parametrize("role", ["admin", "lead", "moderator"])
@pytest.mark.parametrize("dm", [False, True])
def test_staff_never_make_tickets(role: str, dm: bool) -> None:
    decision = decide("complaint", False, dm, role, False, DEFAULT_TRIAGE_POLICY)
    assert not decision.make_ticket
    assert decision.count_as is None
    assert role in decision.reason


@pytest.mark.parametrize("intent", ["purchase", "complaint", "spam", "praise"])
def test_the_communitys_own_messages_never_make_tickets(intent: str) -> None:
    decision = decide(intent, True, True, None, True, DEFAULT_TRIAGE_POLICY)
    assert not decision.make_ticket
    assert decision.count_as is None
    assert "community itself" in decision.reason


def test_other_roles_are_members() -> None:
    assert decide("support", False, False, "vip", False, DEFAULT_TRIAGE_POLICY).make_ticket


# ----------------------------------------------------------------------- policy as data


def test_policy_round_trips_and_merges_over_defaults() -> None:
    stored = DEFAULT_TRIAGE_POLICY.to_dict()
    assert stored["intents"]["purchase"] == {
        "ticket": True,
        "category": "purchase",
        "priority": "high",
        "react": None,
    }
    assert TriagePolicy.from_dict(stored) == DEFAULT_TRIAGE_POLICY
    assert TriagePolicy.from_dict(None) == DEFAULT_TRIAGE_POLICY
    custom = TriagePolicy.from_dict(
        {
            "intents": {"support": {"priority": "high"}, "other": {"ticket": True}},
            "uncertain": {"priority": "low"},
            "staff_roles": ["admin", "lead", "moderator", "bot"],
        }
    )
    assert member("support", policy=custom).priority == "high"
    assert member("support", policy=custom).category == "support"  # kept
    assert member("other", policy=custom).make_ticket
    assert member("purchase", uncertain=True, policy=custom).priority == "low"
    assert not decide("support", False, False, "bot", False, custom).make_ticket


def test_uncertain_messages_can_be_left_uncounted_publicly() -> None:
    policy = TriagePolicy.from_dict({"uncertain": {"ticket": False}})
    assert not member("support", uncertain=True, policy=policy).make_ticket
    assert member("support", uncertain=True, dm=True, policy=policy).make_ticket


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"intents": {"complaint": {"ticket": False}}}, "Complaints always get a ticket"),
        ({"intents": {"spam": {"ticket": True}}}, "spam policy"),
        ({"intents": {"gossip": {"ticket": True}}}, "Unknown intent"),
        ({"intents": {"support": {"priority": "asap"}}}, "Unknown priority"),
        ({"intents": {"support": {"category": "misc"}}}, "Unknown ticket category"),
        ({"intents": {"support": {"colour": "red"}}}, "Unknown triage settings for support"),
        ({"dm_priority": "whenever"}, "Unknown priority"),
        ({"reactions": True}, "Unknown triage settings"),
    ],
)
def test_bad_overrides_are_explained(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TriagePolicy.from_dict(overrides)


def test_priorities_sort_urgent_first() -> None:
    ordered = sorted(["normal", "urgent", "low", "high"], key=PRIORITY_RANK.__getitem__)
    assert ordered == ["urgent", "high", "normal", "low"]


# ----------------------------------------------------------------------------- assignment


def team(*moderators: Moderator) -> list[Moderator]:
    return list(moderators)


ANNA = Moderator(1, languages=frozenset({"ru"}))
BORIS = Moderator(2, languages=frozenset({"ru", "en"}))
CLARA = Moderator(3, languages=frozenset({"en"}))
LEAD = Moderator(10, role="lead", languages=frozenset({"ru", "en"}))
ADMIN = Moderator(20, role="admin", languages=frozenset({"ru", "en"}))


def test_round_robin_cycles_through_the_team() -> None:
    moderators = team(ANNA, BORIS, LEAD, CLARA)
    last = None
    picked = []
    for _ in range(7):
        choice = choose_assignee(moderators, None, last)
        assert choice.reason == "round robin"
        last = choice.assignee_id
        picked.append(last)
    assert picked == [1, 2, 3, 1, 2, 3, 1]


def test_round_robin_continues_after_someone_who_left() -> None:
    moderators = team(ANNA, BORIS, CLARA)
    assert choose_assignee(moderators, None, 99).assignee_id == 1
    # The last assignee is now busy: the next one after them in order still comes next.
    busy_boris = Moderator(2, open_tickets=10, capacity=10)
    assert choose_assignee(team(ANNA, busy_boris, CLARA), None, 2).assignee_id == 3


def test_language_filter() -> None:
    moderators = team(ANNA, BORIS, CLARA)
    assert choose_assignee(moderators, "en", None).assignee_id == 2
    assert choose_assignee(moderators, "en", 2).assignee_id == 3
    assert choose_assignee(moderators, "en-GB", 3).assignee_id == 2
    assert choose_assignee(moderators, "ru", 1).assignee_id == 2
    assert choose_assignee(moderators, "ru", 2).assignee_id == 1
    # Unknown language or a moderator with no languages set: anyone.
    assert choose_assignee(moderators, "unknown", 1).assignee_id == 2
    anyone = Moderator(4)
    assert choose_assignee(team(ANNA, anyone), "de", None).assignee_id == 4


def test_shift_and_capacity() -> None:
    off = Moderator(1, on_shift=False)
    full = Moderator(2, capacity=3, open_tickets=3)
    free = Moderator(3, capacity=3, open_tickets=2)
    assert choose_assignee(team(off, full, free), None, None).assignee_id == 3
    assert not full.has_capacity and free.has_capacity


def test_leads_and_admins_come_last() -> None:
    busy = Moderator(1, open_tickets=10, capacity=10)
    choice = choose_assignee(team(LEAD, ADMIN, busy), "ru", None)
    assert (choice.assignee_id, choice.reason) == (10, "lead (no moderator free)")
    # Admins are treated like leads and take turns with them.
    assert choose_assignee(team(LEAD, ADMIN, busy), "ru", 10).assignee_id == 20
    assert choose_assignee(team(LEAD, ADMIN, busy), "ru", 20).assignee_id == 10
    # When admins are the only ones, they get the ticket.
    assert choose_assignee(team(ADMIN), "en", None).assignee_id == 20
    # A free moderator always beats a lead, even right after the lead's turn.
    assert choose_assignee(team(LEAD, ANNA), "ru", 1).assignee_id == 1


def test_nobody_available() -> None:
    for moderators, language, why in [
        (team(), None, "no other moderators"),
        (team(Moderator(1, on_shift=False)), None, "on shift"),
        (team(Moderator(1, capacity=1, open_tickets=1)), None, "capacity"),
        (team(ANNA), "en", "speaks en"),
    ]:
        choice = choose_assignee(moderators, language, None)
        assert choice.moderator is None and choice.assignee_id is None
        assert choice.reason == NOBODY_AVAILABLE == "nobody available"
        assert why in choice.detail


def test_reassignment_excludes_the_current_assignee() -> None:
    moderators = team(ANNA, BORIS)
    assert choose_assignee(moderators, "ru", 1, exclude_ids={2}).assignee_id == 1
    lonely = choose_assignee(team(ANNA), "ru", None, exclude_ids={1})
    assert lonely.moderator is None and "no other moderators" in lonely.detail


def test_needs_reassignment() -> None:
    on_duty = Moderator(1, capacity=5, open_tickets=2)
    assert not needs_reassignment(on_duty, team(on_duty))
    # Judged on the current record: they went off shift or filled up since.
    assert needs_reassignment(on_duty, team(Moderator(1, on_shift=False)))
    assert needs_reassignment(on_duty, team(Moderator(1, capacity=5, open_tickets=5)))
    assert needs_reassignment(on_duty, team(CLARA))  # no longer a moderator
    assert needs_reassignment(None, team(ANNA))


def test_moderator_validation() -> None:
    with pytest.raises(ValueError, match="Unknown moderator role"):
        Moderator(1, role="owner")
    assert Moderator(1, languages=frozenset({"EN_us"})).languages == frozenset({"en"})
