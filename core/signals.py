"""The one way the capabilities plug into each other: named blinker signals (as indico's ``core/signals``).

A package that offers something to another connects a receiver in its ``hooks.py``::

    from core import signals

    @signals.evidence_sources.connect
    def _evidence_sources(sender, **kwargs):
        return {"B2": evidence.census_evidence}

``create_app`` imports the hooks modules it lists (``register_hooks``): Python imports each once per process,
so its receivers are connected once however many apps are built, and blinker holds them by weak reference
(the module keeps them alive). An app hears only the receivers of the hooks it registered: a package left out
contributes nothing to that app — and where that matters it says so (the checklist names the criterion
without a source) rather than skipping it silently.

The package that sends a signal asks with ``send`` (every value) or ``merged`` (one dict); each signal's
documentation says who sends it and what a receiver returns. docs/extending.md lists them.
"""

import importlib
from collections.abc import Callable

from blinker import Namespace, Signal
from flask import Flask, current_app

_signals = Namespace()
#: Where an app keeps the names of the hooks modules it registered, in their order.
HOOKS_KEY = "fideliza.hooks"

evidence_sources = _signals.signal("evidence-sources", doc="""
Sent by ``evidence.automatic`` (checklist, criterion page, PDF pack) to find the automatic evidence of each
criterion; sender None. A receiver returns ``{key: source}``, where ``key`` is a criterion's evidence key (its
code in the shipped checklist) and ``source(detail=False)`` returns a ``core.findings.Finding``.
""")

evidence_thresholds = _signals.signal("evidence-thresholds", doc="""
Sent by ``evidence.criteria_sets`` (checking a criteria file's ``thresholds:``) and ``evidence.automatic``; sender
None. A receiver returns ``{key: (core.findings.Threshold, …)}``: the numbers the rule of each of its evidence
keys compares against, with their defaults. A source that declares thresholds takes ``thresholds={key: value}``.
""")

stored_thresholds = _signals.signal("stored-thresholds", doc="""
Sent by ``core.findings.stored_thresholds`` (the transition preview, the interfaces page and the process map:
pages that apply a criterion's rule outside the checklist) to learn the thresholds the criteria set in use
states; sender None. A receiver returns ``{key: {threshold: value}}`` by evidence key, for the keys whose
criterion states any (``evidence.hooks``).
""")

staff_listening = _signals.signal("staff-listening", doc="""
Sent by D1's evidence (``surveys.evidence.d1_facts``) with ``since=`` and ``until=`` (dates: the window, ending
today or on a certification cycle's period end); sender None. A receiver returns the listening activities held
for staff in that window (the staff focus groups, ``voice``), oldest first, each a
``core.findings.Listening``; D1 counts them beside the participation survey.
""")

evidence_records = _signals.signal("evidence-records", doc="""
Sent by ``evidence.records`` to learn the records manual evidence may point at; sender None. A receiver returns
``{kind: core.findings.RecordKind}``; the kind is stored with the evidence item (``"process"``).
""")

opportunity_records = _signals.signal("opportunity-records", doc="""
Sent by ``improvements.sources`` to learn where the records of each kind of opportunity source live (the form
lists them, an opportunity links to its own); sender None. A receiver returns ``{kind: SourceRecords}`` for
kinds of ``improvements.sources.KINDS`` whose records its package owns (client requirements, complaint
categories, survey items).
""")

client_evidence = _signals.signal("client-evidence", doc="""
Sent by ``improvements.results.computed_for`` (an improvement's page, the C1 counter, C2's evidence)
with ``improvements=[Improvement, …]``; sender None. A receiver returns ``{improvement_id: [ComputedEvidence,
…]}`` for the improvements its data says something about (complaints before and after, the targeted survey
item wave over wave), in a fixed number of queries whatever their number.
""")

client_understanding = _signals.signal("client-understanding", doc="""
Sent by ``improvements.results.understanding_for`` (C2's evidence) with ``improvements=[Improvement, …]``; sender
None. A receiver returns ``{improvement_id: [improvements.results.Understanding, …]}``: what clients answered to
"I know about the change to …" (the survey engine's standard understanding item), wave by wave, in a fixed number
of queries whatever the number of improvements.
""")

exit_interviews = _signals.signal("exit-interviews", doc="""
Sent by B2's evidence (``loyalty.exit_interviews.interviews``) with ``since=`` and ``until=`` (dates); sender None.
A receiver returns a ``loyalty.exit_interviews.ExitInterviews``: the exit interviews of the clients who left in
that period (invited, answered, the reasons they gave, and how many confirmed, set, replaced or left pending the
census's exit reason), or None when it knows of none; the first one returned is shown.
""")

group_participation = _signals.signal("group-participation", doc="""
Sent by ``improvements.participation.for_group`` (an improvement group's page) with the group as sender. A
receiver returns an ``improvements.participation.Participation`` (the group's latest staff participation
survey, D1), or None when it knows of none; the first one returned is shown.
""")

smart_indicators = _signals.signal("smart-indicators", doc="""
Sent by the E1 dashboard's data (``processes.dashboard.indicator_rows``) to learn which indicators measure
SMART improvements (they are listed first); sender None. A receiver returns a set of indicator ids.
""")

client_sections = _signals.signal("client-sections", doc="""
Sent by a census client's page (``loyalty.views.clients.client_detail``) with the client as sender. A receiver
returns the HTML of a section of that page about the client (rendered from its own template, e.g. the client's
complaints), or None; the sections follow the census's own, in the order of the hooks.
""")

client_dependants = _signals.signal("client-dependants", doc="""
Sent by ``loyalty.demo_census`` before census clients are removed (the demo's, before a real census is imported)
with ``clients=`` a SELECT of their ids; sender None. A receiver returns a list of ``loyalty.demo_census.Dependants``:
each kind of its package's records that points at those clients, counted in one query, with the set-based
statement that removes them (or detaches them, for records that stay), run in the order given, before the clients.
""")

import_vocabularies = _signals.signal("import-vocabularies", doc="""
Sent by ``core.imports.values`` (an import's check page, the "Import matches" settings) to learn the lists the
values of import columns come from; sender None. A receiver returns ``{name: core.imports.values.Vocabulary}``
for the lists its package owns (``"census.exit_reason"``, ``"voice.category"``…); a ``Column`` names one by
its ``vocabulary``.
""")

client_satisfaction = _signals.signal("client-satisfaction", doc="""
Sent by ``loyalty.segments.satisfaction`` (the segmentation page) to learn what the client surveys say; sender
None. A receiver returns a ``loyalty.segments.Satisfaction`` (the client waves with responses shown, each with
its CSAT, and the latest one by typology), or None when there are no such waves; the first one returned is used.
""")


home_panels = _signals.signal("home-panels", doc="""
Sent by the home page (``core.home.panels``) with ``user=`` the signed-in person; sender None. A receiver returns a
list of ``core.home.Panel`` (possibly empty): the blocks its package draws about the programme or that person,
each from the package's own template, read in a fixed number of statements and showing only what that person's
role may read (never an anonymous survey's answers).
""")

search_providers = _signals.signal("search-providers", doc="""
Sent by the global search (``core.search.search``); sender None. A receiver returns a list of
``core.search.Provider``: the kinds of records its package lets people find (the model, the columns searched, the
title and detail shown, the page a hit links to, and a restriction on the rows when some may not be listed).
""")

digest_sections = _signals.signal("digest-sections", doc="""
Sent by the weekly digest to coordinators (``core.digest``, in each reader's language) with ``previous=`` what the
receiver's sections kept last week (their ``state``, by key; None the first time); sender None. A receiver returns a
list of ``core.digest.Section``: what changed or needs doing in its package (readiness of the criteria, tasks
overdue, indicators off target), read in a fixed number of statements; a section may keep a ``state`` (plain JSON)
to compare against next week.
""")


indicator_sources = _signals.signal("indicator-sources", doc="""
Sent by ``processes.computed`` (the indicator form and page, and the refresh of computed measurements after a
commit that wrote a source's tables) to learn the app's own figures an indicator may be computed from; sender
None. A receiver returns ``{key: core.indicator_sources.IndicatorSource}`` for the figures its package owns
(``"surveys.nps"``, ``"census.churn"``…): each gives its values per period in a fixed number of queries.
""")


def register_hooks(app: Flask, *modules: str) -> None:
    """Import each hooks module (connecting its receivers, once per process) and let ``app`` hear them."""
    hooks = app.extensions.setdefault(HOOKS_KEY, [])
    for name in modules:
        importlib.import_module(name)
        if name not in hooks:
            hooks.append(name)


def receivers(signal: Signal, sender=None) -> list[Callable]:
    """The receivers of ``signal`` that the current app registered, in the order of its hooks."""
    hooks = current_app.extensions.get(HOOKS_KEY, [])
    found = [receiver for receiver in signal.receivers_for(sender) if receiver.__module__ in hooks]
    return sorted(found, key=lambda receiver: (hooks.index(receiver.__module__), _line(receiver)))


def _line(receiver) -> int:
    code = getattr(receiver, "__code__", None)
    return code.co_firstlineno if code is not None else 0


def send(signal: Signal, sender=None, **kwargs) -> list:
    """What each of the current app's receivers returns, in order; a receiver's None (nothing to add) is left out."""
    values = (receiver(sender, **kwargs) for receiver in receivers(signal, sender))
    return [value for value in values if value is not None]


def merged(signal: Signal, sender=None, **kwargs) -> dict:
    """The dicts the receivers return, as one. Two receivers giving the same key is a mistake in the hooks
    (which one would count?), refused with both names."""
    found, owners = {}, {}
    for receiver in receivers(signal, sender):
        for key, value in (receiver(sender, **kwargs) or {}).items():
            if key in found:
                raise RuntimeError(f"Both {owners[key]} and {receiver.__module__} answer “{key}” to the "
                                   f"{signal.name} signal: keep one.")
            found[key], owners[key] = value, receiver.__module__
    return found

reviews_due = _signals.signal("reviews-due", doc="""
Sent by ``core.reviews.overdue`` (the home page's reviews block and the checklist) with ``today=`` the day judged;
sender None. A receiver returns a list of ``core.reviews.Due``: its package's records past their periodic review
date (process sheets, agreements, self-assessments, evidence items), read in a fixed number of statements.
""")

pack_cycle = _signals.signal("pack-cycle", doc="""
Sent by the evidence pack (``core.pack_cycle.for_pack``, from ``evidence.packs.gather`` and
``evidence.pack_jobs.request_pack``) with ``cycle_id=`` the id of the certification cycle a pack is generated for;
sender None. A receiver returns a ``core.pack_cycle.PackCycle`` (the cycle's name, criteria set, scope in words,
period, visit dates, state, reviewers and findings, each a ``core.pack_cycle.PackCycleFinding``, as they stand
now), or None when it knows no cycle of that id; the first one returned is used. The pack judges the criteria
that read a window on the period's end (``PackCycle.judged_on``); a pack asked for a cycle that no registered
package knows is refused.
""")
