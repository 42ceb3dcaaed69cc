"""Role × object: every GET and POST of the app, on real records owned by someone else, answers as the policy says.

``test_core_access`` proves each endpoint's role rule with ids that match nothing. Here one record of each
kind exists, owned by ``owner`` (a member: owner of the processes, member of the improvement group, uploader
of the pending imports); ``member`` is a member who owns none of them. Every endpoint with a record in its
path must have a line in ``OBJECT_RULES`` saying which object rule governs it (an endpoint added without
one fails ``test_every_endpoint_with_a_record_has_an_object_rule``).

Expected answers: allowed → not refused (a GET answers 200 or a redirect that is not the login page);
refused by the role rule → 403, or the login page for anonymous visitors where a role may; refused by
the object rule → 403, or 404 where the app hides that the record exists (another person's import upload:
``UPLOADER``, whose files are not even acknowledged to others, admins included). A refused request must
change nothing (no audit row); the allowed POSTs that change data with an empty form are listed in
``CHANGE_WITH_AN_EMPTY_FORM``. Requests that would remove the record in their path act on a spare one
(``SPARES``); those that close or end something run last (``LAST``).

On the day the stored files got their owner routes: 1368 role × object × endpoint cases (6 principals,
``any(...)`` values each), all answering as the policy says once the holes it found were fixed.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter

from accounts import sessions, tokens
from accounts.models import TwoFactorCredential
from certification.models import Cycle, CycleState, Finding, FindingKind, FindingState
from core import access, api
from core.audit import AuditEntry
from core.extensions import db
from core.files import Owner, StoredFile
from core.imports.values import ImportAlias
from core.models import Organisation, Role, User
from core.timeutil import utcnow
from evidence.criteria_sets import ensure_builtin_sets
from evidence.models import CriteriaSet, Criterion, EvidenceFileRevision, EvidenceItem, PackJob, PackSnapshot
from improvements.models import (
    Evidence,
    EvidenceKind,
    Group,
    GroupMember,
    GroupProcess,
    Improvement,
    Meeting,
    PriorityCriterion,
    ProcessChange,
    Status,
    Task,
    Training,
)
from loyalty.models import CensusImport, Client, ClientYear, ExitReason, Typology
from loyalty.reasons import ensure_default_reasons
from processes.models import (
    Benchmark,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Interface,
    Measurement,
    Participant,
    Process,
    ProcessDocument,
    ProcessKind,
    ProcessStage,
    ProcessStatus,
    Programme,
    Revision,
    ServiceMoment,
    ServiceMomentIndicator,
    ServiceMomentProcess,
    Target,
)
from surveys import engine, invitations
from surveys.models import Audience, Invitation, SurveyItem
from tests.conftest import user_factory
from tests.exit_fixtures import exit_interview
from voice.models import (
    ActivityKind,
    Channel,
    Complaint,
    ComplaintCategory,
    ContactKind,
    ListeningActivity,
    Requirement,
    RequirementSource,
)

ADMIN, COORDINATOR, MEMBER, REVIEWER = Role.ADMIN, Role.COORDINATOR, Role.MEMBER, Role.REVIEWER
#: The member who owns the records (process owner, group member, uploader).
OWNER = "owner"
PRINCIPALS = (ADMIN, COORDINATOR, MEMBER, REVIEWER, OWNER, access.ANONYMOUS)
EVERYONE = frozenset(PRINCIPALS)


@dataclass(frozen=True)
class ObjectRule:
    """Who, beyond the endpoint's role rule, may act on the record: ``grants``; the others get ``refusal``.
    ``reads``: the rule guards the GET as well (a form page), not only changes."""

    name: str
    grants: frozenset
    reads: bool = False
    refusal: int = 403


#: No object rule: whoever the role rule lets in may act on any record of the kind.
ROLE = ObjectRule("role rule only", EVERYONE)
PROCESS_OWNER = ObjectRule("owner of the process", frozenset({ADMIN, COORDINATOR, OWNER}))
PROCESS_OWNER_FORM = ObjectRule("owner of the process (form page too)", PROCESS_OWNER.grants, reads=True)
INTERFACE_OWNER = ObjectRule("owner of either process", PROCESS_OWNER.grants)
MEASURES = ObjectRule("owner of the process or responsible for the indicator", PROCESS_OWNER.grants)
MEASURES_FORM = ObjectRule("records measurements (form page too)", MEASURES.grants, reads=True)
GROUP_MEMBER = ObjectRule("member of the group", frozenset({ADMIN, COORDINATOR, OWNER}))
GROUP_MEMBER_FORM = ObjectRule("member of the group (form page too)", GROUP_MEMBER.grants, reads=True)
UPLOADER = ObjectRule("uploader", frozenset({OWNER}), reads=True, refusal=404)
#: A person's own API token: others are not even told it exists (administrators revoke it from their own page).
TOKEN_HOLDER = ObjectRule("holder of the token", frozenset({OWNER}), refusal=404)
#: Personal links are shown to those who may send them: editors, not reviewers.
EDITORS_READ = ObjectRule("editors read (personal links)", frozenset({ADMIN, COORDINATOR, MEMBER, OWNER}),
                          reads=True)

#: A certification cycle's moves: coordinators; a reviewer only when assigned to it (none is, here).
CYCLE_MOVER = ObjectRule("coordinators, or an assigned reviewer closing", frozenset({ADMIN, COORDINATOR}),
                         reads=True)

#: endpoint → the object rule of the record in its path. One line per endpoint; a new endpoint with a record
#: in its path fails the test until it has its line here.
OBJECT_RULES = {
    # Stored files, each through the record that owns it (import uploads: their uploader only).
    "processes.process_document": ROLE, "evidence.evidence_file": ROLE, "evidence.evidence_revision_file": ROLE,
    "evidence.replace_file": ROLE, "evidence.remove_file": ROLE,
    "improvements.evidence_file": ROLE, "improvements.training_material": ROLE,
    "answer.invitation_logo": ROLE, "answer.public_logo": ROLE,
    "loyalty.import_file": UPLOADER, "voice.import_complaints_file": UPLOADER,
    "processes.import_measurements_file": UPLOADER, "surveys.import_responses_file": UPLOADER,
    "surveys.exclude_network": ROLE,
    "accounts.edit_user": ROLE, "accounts.set_user_active": ROLE, "accounts.reset_two_factor": ROLE,
    "processes.process_detail": ROLE, "processes.revisions": ROLE, "processes.diagram": ROLE,
    "processes.diagram_svg": ROLE, "processes.change_process_status": ROLE, "processes.delete_process": ROLE,
    "processes.edit_process": PROCESS_OWNER_FORM, "processes.add_participant": PROCESS_OWNER,
    "processes.remove_participant": PROCESS_OWNER, "processes.add_document": PROCESS_OWNER,
    "processes.new_indicator": PROCESS_OWNER_FORM, "processes.new_stage": PROCESS_OWNER_FORM,
    "processes.edit_stage": PROCESS_OWNER_FORM, "processes.move_stage": PROCESS_OWNER,
    "processes.remove_stage": PROCESS_OWNER,
    "processes.indicator_detail": ROLE, "processes.export_indicator": ROLE,
    "processes.edit_indicator": PROCESS_OWNER_FORM, "processes.set_target": PROCESS_OWNER,
    "processes.add_benchmark": PROCESS_OWNER, "processes.add_measurement": MEASURES,
    "processes.measurement_grid": MEASURES_FORM,
    "processes.edit_interface": INTERFACE_OWNER, "processes.edit_programme": ROLE,
    "processes.service_cycle": ROLE, "processes.new_moment": ROLE, "processes.edit_moment": ROLE,
    "processes.move_moment": ROLE, "processes.remove_moment": ROLE,
    "processes.import_measurements_check": UPLOADER,
    # Document control and periodic reviews: the owner or a coordinator moves the sheet; everyone reads it.
    "processes.published_sheet": ROLE, "processes.submit_sheet": PROCESS_OWNER,
    "processes.approve_sheet": PROCESS_OWNER, "processes.send_back_sheet": PROCESS_OWNER,
    "processes.review_sheet": PROCESS_OWNER, "processes.review_interface": INTERFACE_OWNER,
    "evidence.review_item": ROLE,
    "loyalty.client_detail": ROLE, "loyalty.edit_client": ROLE, "loyalty.add_figures": ROLE,
    "loyalty.mark_lost": ROLE, "loyalty.reinstate": ROLE, "loyalty.change_exit_date": ROLE,
    "voice.complaint_detail": ROLE, "voice.edit_complaint": ROLE, "voice.toggle_category": ROLE,
    "voice.import_complaints_check": UPLOADER,
    "loyalty.import_check": UPLOADER, "loyalty.import_done": ROLE, "loyalty.remove_demo_census": ROLE,
    # The API's writes of what other systems feed: the rules of the import and complaint pages (bearer tokens).
    "api_census_writes.absent_clients": ROLE, "api_census_writes.confirm_absent": ROLE,
    "api_complaint_writes.complaint_by_reference": ROLE, "api_complaint_writes.put_complaint": ROLE,
    "api_survey_writes.push_responses": ROLE,
    "voice.activity_detail": ROLE, "voice.edit_activity": ROLE,
    "voice.requirement_detail": ROLE, "voice.edit_requirement": ROLE, "voice.move_requirement": ROLE,
    "loyalty.toggle_exit_reason": ROLE,
    "core.change_import_match": ROLE, "core.forget_import_match": ROLE,
    "onboarding.change_step": ROLE,
    "improvements.group_detail": ROLE, "improvements.priorities": ROLE,
    "improvements.edit_group": GROUP_MEMBER_FORM, "improvements.add_meeting": GROUP_MEMBER,
    "improvements.add_member": GROUP_MEMBER, "improvements.remove_member": GROUP_MEMBER_FORM,
    "improvements.new_opportunity": GROUP_MEMBER_FORM,
    "improvements.improvement_detail": ROLE,
    "improvements.edit_plan": GROUP_MEMBER_FORM, "improvements.smart_check": GROUP_MEMBER_FORM,
    "improvements.new_process_change": GROUP_MEMBER_FORM,
    "improvements.add_affected": GROUP_MEMBER, "improvements.record_after": GROUP_MEMBER,
    "improvements.add_evidence": GROUP_MEMBER, "improvements.save_scores": GROUP_MEMBER,
    "improvements.change_status": GROUP_MEMBER, "improvements.add_task": GROUP_MEMBER,
    "improvements.confirm_status": GROUP_MEMBER_FORM, "improvements.change_date": GROUP_MEMBER,
    "improvements.add_training": GROUP_MEMBER, "improvements.task_status": GROUP_MEMBER,
    "improvements.edit_criterion": ROLE,
    "evidence.criterion": ROLE, "evidence.add_evidence": ROLE, "evidence.self_assess": ROLE,
    "evidence.record_verdict": ROLE, "evidence.add_revision": ROLE, "evidence.use_set": ROLE,
    "evidence.reload_set": ROLE,
    "evidence.pack_job": ROLE, "evidence.pack_job_state": ROLE, "evidence.snapshot": ROLE,
    "evidence.download_pack": ROLE,
    "surveys.survey": ROLE, "surveys.edit_survey": ROLE, "surveys.edit_item": ROLE, "surveys.remove_item": ROLE,
    "surveys.new_item": ROLE, "surveys.new_wave": ROLE, "surveys.wave": ROLE, "surveys.change_wave": EDITORS_READ,
    "surveys.import_responses": ROLE, "surveys.import_responses_template": ROLE,
    "surveys.import_responses_check": UPLOADER,
    "surveys.invite_clients": ROLE, "surveys.invite_list": ROLE, "surveys.invite_staff": ROLE,
    "surveys.send_invitations": ROLE, "surveys.print_invitations": EDITORS_READ, "surveys.export_invitations": ROLE,
    "surveys.wave_sending": ROLE,
    "surveys.export_responses": ROLE, "surveys.wave_results": ROLE, "surveys.export_results": ROLE,
    "surveys.add_understanding": ROLE, "surveys.invite_lost_clients": ROLE, "surveys.exit_reviews": ROLE,
    "surveys.review_agreed_exits": ROLE, "surveys.review_exit": ROLE,
    "answer.invitation": ROLE, "answer.public": ROLE,
    "accounts.revoke_own_token": TOKEN_HOLDER, "accounts.revoke_token": ROLE,
    # The REST API (bearer tokens, not sessions): the same object rules as the views.
    "api_processes.process": ROLE, "api_processes.indicator": ROLE, "api_processes.indicator_measurements": ROLE,
    "api_processes.indicator_benchmarks": ROLE, "api_processes.measurement": ROLE,
    "api_processes.change_measurement": MEASURES,
    # Certification cycles: everyone signed in reads them, coordinators change them; the moves are checked on the
    # cycle (``certification.cycles.may_move``).
    "certification.cycle": ROLE, "certification.edit_cycle": ROLE, "certification.delete_cycle": ROLE,
    "certification.move_cycle": CYCLE_MOVER, "certification.cycle_pack": ROLE, "certification.compare_cycles": ROLE,
    # Everyone the role rule lets in reads every client, complaint, survey, improvement and group (the pages do
    # too): what a group's members alone may do is change its work, given as ``may_edit`` (tests/test_api_reads.py).
    "api_loyalty.client": ROLE, "api_voice.complaint": ROLE, "api_voice.requirement": ROLE,
    "api_voice.activity": ROLE, "api_surveys.survey": ROLE, "api_surveys.wave": ROLE,
    "api_surveys.wave_results": ROLE, "api_improvements.improvement": ROLE, "api_improvements.group": ROLE,
    "api_evidence.snapshot": ROLE,
    # Findings: the role rules say who records (reviewers), answers (coordinators) and closes (reviewers); a
    # cycle with reviewers assigned takes only theirs (tests/test_certification_findings.py), this one has none.
    "certification.cycle_findings": ROLE, "certification.export_cycle_findings": ROLE,
    "certification.new_finding": ROLE, "certification.finding": ROLE, "certification.answer": ROLE,
    "certification.close": ROLE, "certification.send_back_answer": ROLE,
}

#: Path arguments that name no record.
NOT_RECORDS = {"fmt", "action", "filename"}
#: Which record fills a path argument, where it depends on the endpoint.
BY_ENDPOINT = {
    ("evidence.add_revision", "item_id"): "evidence_item",
    ("evidence.review_item", "item_id"): "evidence_item",
    ("evidence.replace_file", "item_id"): "evidence_item",
    ("evidence.remove_file", "item_id"): "evidence_item",
    ("improvements.edit_criterion", "criterion_id"): "priority_criterion",
    ("loyalty.import_done", "import_id"): "done_import",
    ("loyalty.remove_demo_census", "import_id"): "demo_import",
    ("loyalty.import_check", "import_id"): "pending_import",
    ("loyalty.import_file", "import_id"): "pending_import",
    ("api_census_writes.absent_clients", "import_id"): "done_import",
    ("api_census_writes.confirm_absent", "import_id"): "done_import",
    ("voice.import_complaints_check", "file_id"): "complaints_upload",
    ("voice.import_complaints_file", "file_id"): "complaints_upload",
    ("processes.import_measurements_check", "file_id"): "measurements_upload",
    ("processes.import_measurements_file", "file_id"): "measurements_upload",
    ("surveys.import_responses_check", "file_id"): "responses_upload",
    ("surveys.import_responses_file", "file_id"): "responses_upload",
    ("evidence.evidence_file", "item_id"): "evidence_item",
    ("evidence.evidence_revision_file", "item_id"): "evidence_item",
    ("surveys.invite_lost_clients", "wave_id"): "exit_wave",
    ("surveys.exit_reviews", "wave_id"): "exit_wave",
    ("surveys.review_agreed_exits", "wave_id"): "exit_wave",
    ("surveys.review_exit", "wave_id"): "exit_wave",
    ("surveys.review_exit", "response_id"): "exit_response",
    ("answer.invitation", "token"): "invitation_token",
    ("answer.invitation_logo", "token"): "invitation_token",
    ("answer.public", "token"): "public_token",
    ("answer.public_logo", "token"): "public_token",
}
#: endpoint → (argument, spare kind): the request would remove the record, so each case gets its own.
SPARES = {
    "improvements.remove_member": ("member_id", "member"),
    "processes.remove_participant": ("participant_id", "participant"),
    "processes.remove_stage": ("stage_id", "stage"),
    "processes.remove_moment": ("moment_id", "moment"),
    "surveys.remove_item": ("item_id", "survey_item"),
    "accounts.set_user_active": ("user_id", "user"),
    "accounts.reset_two_factor": ("user_id", "two_factor_user"),
    "core.forget_import_match": ("alias_id", "import_alias"),
    "accounts.revoke_own_token": ("token_id", "owner_token"),
    "accounts.revoke_token": ("token_id", "token"),
    "certification.delete_cycle": ("cycle_id", "cycle"),
}
#: Query arguments a page needs to show its records.
QUERIES = {"evidence.compare_snapshots": {"before": "snapshot_id", "after": "snapshot_id"},
           "certification.compare_cycles": {"with": "earlier_cycle_id"}}
#: Requests that end something later cases need (a wave's answers, a session): after all the others.
LAST = ("surveys.change_wave", "accounts.logout")
#: Allowed POSTs that wrote audit rows with an empty form: buttons whose form is only their token, and edit
#: forms that, given no fields, re-save the record as it is (WTForms falls back to the record's values).
#: Removing a group member or a process participant removes their spare record. A moment of the service cycle
#: saved with no processes ticked loses its links (as a stage its knowledge holders).
#: Printing an anonymous wave's slips issues new links (the printed ones replace those shown before). Starting
#: one's two-factor set-up makes a secret to scan (its button is only a token). Skipping a setup step is its button.
CHANGE_WITH_AN_EMPTY_FORM = {
    "accounts.reset_two_factor", "accounts.set_user_active", "accounts.start_two_factor", "evidence.request_pack",
    "onboarding.change_step",
    "improvements.edit_group", "improvements.remove_member",
    "voice.toggle_category", "loyalty.toggle_exit_reason", "processes.edit_stage", "core.forget_import_match",
    "processes.remove_participant", "processes.remove_stage", "processes.remove_moment", "processes.edit_moment",
    "surveys.invite_clients", "surveys.print_invitations", "surveys.remove_item",
    # Records at once the exit interviews' answers that agree with the census (its button is only a token).
    "surveys.review_agreed_exits",
    # Submitting the sheet's draft for approval: its button is only a token.
    "processes.submit_sheet",
    # Revoking an API token: its button is only a token.
    "accounts.revoke_own_token", "accounts.revoke_token",
    # Generating a cycle's pack (its button is the language, English by default) and removing a spare cycle.
    "certification.cycle_pack", "certification.delete_cycle",
}
#: What an API write of the crawl sends: the measurement's own value (allowed, it changes nothing).
API_BODIES = {"api_processes.change_measurement": {"value": 80}}


def stored(owner: Owner, uploader_id: int | None, name="file.csv", data=b"code;name\nC1;One\n") -> StoredFile:
    return StoredFile(filename=name, kind="csv", content_type="text/csv", size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), owner=owner, data=data, uploaded_by_id=uploader_id)


def build_records(owner_id: int) -> dict:
    """One record of each kind, owned by ``owner_id`` where a kind has an owner; their ids by name."""
    today = date.today()
    programme, other = Programme(code="FID", name="Loyalty", is_certified=True), Programme(code="OTH", name="Other")
    process = Process(code="FID-C01", name="Handle complaints", kind=ProcessKind.KEY, programme=programme,
                      owner_id=owner_id, status=ProcessStatus.IN_FORCE)
    neighbour = Process(code="OTH-01", name="Billing", kind=ProcessKind.SUPPORT, programme=other,
                        owner_id=owner_id, status=ProcessStatus.IN_FORCE)
    document_file = stored(Owner.PROCESS_DOCUMENT, owner_id, "procedure.txt", b"How we answer complaints.")
    process.documents.append(ProcessDocument(file=document_file, title="Procedure"))
    process.participants.append(Participant(user_id=owner_id, role="Answers"))
    stage = ProcessStage(position=1, name="Receive", responsible_role="Front desk")
    process.stages.append(stage)
    indicator = Indicator(process=process, code="IND-1", name="Answered in 7 days", frequency=Frequency.MONTHLY,
                          direction=Direction.HIGHER, kind=IndicatorKind.PERFORMANCE)
    first = today.replace(day=1)
    indicator_rows = [Measurement(indicator=indicator, period=first, value=80),
                      Target(indicator=indicator, valid_from=first, value=90),
                      Benchmark(indicator=indicator, source="Sector", period=first, value=85)]
    interface = Interface(from_process=process, to_process=neighbour, flow="Refunds")
    db.session.add_all([process, neighbour, interface, *indicator_rows])
    db.session.flush()
    revision = Revision(process_id=process.id, number=1, author_id=owner_id, reason="Sheet created", snapshot={})
    moment = ServiceMoment(programme_id=programme.id, position=1, name="Joining")
    moment.process_links.append(ServiceMomentProcess(process_id=process.id))
    moment.indicator_links.append(ServiceMomentIndicator(indicator_id=indicator.id))
    db.session.add(moment)

    ensure_default_reasons()
    client = Client(code="C-001", name="Ferretería", typology=Typology.END_USER, joined_on=date(2020, 1, 1))
    client.years.append(ClientYear(year=today.year, potential=100, purchases=50, margin=10))
    category = ComplaintCategory(name="Delays")
    complaint = Complaint(kind=ContactKind.COMPLAINT, received_on=today, channel=Channel.PHONE, category=category,
                          description="Late answer", client=client, reference="TK-0001")
    requirement = Requirement(statement="Answer in writing", source=RequirementSource.COMPLAINT, identified_on=today)
    activity = ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Focus group", held_on=today)

    group = Group(name="Written answers", purpose="Fewer complaints")
    group.members = [GroupMember(user_id=owner_id, role="Member")]
    improvement = Improvement(group=group, title="Written answers", statement="Members want written answers.",
                              raised_on=today, source_kind="staff_idea", status=Status.APPROVED)
    improvement.tasks.append(Task(title="Template", owner_id=owner_id, due_on=today + timedelta(days=9)))
    improvement.trainings.append(Training(held_on=today, topic="Writing answers"))
    improvement.process_changes.append(ProcessChange(process=process, description="Answers are written"))
    opportunity = Improvement(group=group, title="Shorter waits", statement="Queues are long.", raised_on=today,
                              source_kind="staff_idea")
    db.session.add_all([revision, client, complaint, requirement, activity, group, improvement, opportunity,
                        Meeting(group=group, held_on=today),
                        PriorityCriterion(name="Impact", weight=3, higher_is_better=True, axis="impact")])

    db.session.flush()
    db.session.add(GroupProcess(group_id=group.id, process_id=process.id))
    ensure_builtin_sets()
    db.session.flush()
    criteria_set = db.session.scalar(select(CriteriaSet).where(CriteriaSet.is_current)) or \
        db.session.scalar(select(CriteriaSet))
    pack_file = stored(Owner.EVIDENCE_PACK, None, "pack.pdf", b"%PDF-1.4 pack")
    snapshot = PackSnapshot(set_id=criteria_set.id, scope="all", language="en", fingerprint=1, file=pack_file,
                            page_count=1)
    evidence_item = EvidenceItem(title="Minutes", note="Signed")
    minutes = stored(Owner.EVIDENCE_ITEM, None, "minutes.txt", b"Signed minutes.")
    evidence_item.revisions.append(EvidenceFileRevision(number=1, file=minutes, sha256=minutes.sha256))
    client_evidence = Evidence(improvement=improvement, kind=EvidenceKind.OTHER, title="Letters",
                               file=stored(Owner.IMPROVEMENT_EVIDENCE, owner_id, "letters.txt", b"Letters."))
    improvement.trainings[0].material_file = stored(Owner.TRAINING_MATERIAL, owner_id, "course.txt", b"Course.")
    logo = stored(Owner.ORGANISATION_LOGO, None, "logo.png", b"\x89PNG logo")
    db.session.add_all([evidence_item, snapshot, client_evidence, Organisation(name="Aurrera", logo=logo)])
    db.session.flush()
    db.session.add(PackJob(set_id=criteria_set.id, scope="all", language="en", fingerprint=1,
                           snapshot_id=snapshot.id))
    token, _secret = tokens.create_token(db.session.get(User, owner_id), name="Owner's", scope="read", days=30)

    survey = engine.create_survey(title="Satisfaction", audience=Audience.CLIENTS, language="en",
                                  template="client_satisfaction", anonymous=True)
    wave = engine.create_wave(survey, name="2025", opens_on=date(2020, 1, 1), closes_on=None, public_link=True)
    wave.open()
    invitations.invite(wave, [{"name": "Ana Client", "email": "ana@example.test"}])

    census_file = stored(Owner.CENSUS_IMPORT, owner_id)
    done_file = stored(Owner.CENSUS_IMPORT, owner_id)
    uploads = {kind: stored(owner, owner_id) for kind, owner in (
        ("complaints", Owner.COMPLAINT_IMPORT), ("measurements", Owner.MEASUREMENT_IMPORT),
        ("responses", Owner.SURVEY_RESPONSE_IMPORT))}
    db.session.add_all([census_file, done_file, *uploads.values()])
    db.session.flush()
    pending = CensusImport(actor_id=owner_id, stored_file_id=census_file.id, filename="censo.csv", year=today.year,
                           mapping={})
    done = CensusImport(actor_id=owner_id, stored_file_id=done_file.id, filename="old.csv", year=today.year,
                        mapping={}, imported_at=date(2024, 1, 1))
    # The demo's census, with one client: what the removal page offers to remove (only with its box ticked).
    demo_import = CensusImport(filename="censo-socios.csv", year=today.year, mapping={}, imported_at=date(2024, 1, 1),
                               full_census=True, demo=True)
    db.session.add_all([pending, done, demo_import])
    db.session.flush()
    db.session.add(Client(code="S-00001", name="Demo client", typology=Typology.END_USER, joined_on=date(2020, 1, 1),
                          last_import_id=demo_import.id))
    # A spelling of the census's exit reasons remembered by the owner (the import matches' settings).
    reason_id = db.session.scalar(select(ExitReason.id).limit(1))
    alias = ImportAlias(vocabulary="census.exit_reason", spelling="Insatisfacción con el servicio",
                        folded="insatisfaccionconelservicio", value=str(reason_id), created_by_id=owner_id)
    db.session.add(alias)
    db.session.flush()
    first_criterion = criteria_set.criteria[0]
    # A cycle in preparation with an open minor nonconformity recorded by someone else.
    cycle = Cycle(name="Certification", set_id=criteria_set.id, period_start=date(today.year - 1, 1, 1),
                  period_end=date(today.year - 1, 12, 31))
    finding = Finding(cycle=cycle, number=1, criterion=first_criterion, kind=FindingKind.MINOR, text="Late answers",
                      raised_by_id=owner_id, raised_on=today)
    db.session.add_all([cycle, finding])
    db.session.flush()
    invitation = db.session.scalar(select(Invitation).where(Invitation.wave_id == wave.id))
    # A named exit interview answered by two lost clients: one agrees with the census, one differs from it.
    interview = exit_interview([("L-001", "no_use", "no_use"), ("L-002", "competitor", "poor_service")])
    return {
        "process_id": process.id, "programme_id": programme.id, "participant_id": process.participants[0].id,
        "stage_id": stage.id, "moment_id": moment.id, "indicator_id": indicator.id, "interface_id": interface.id,
        "document_id": process.documents[0].id, "evidence_id": client_evidence.id,
        "training_id": improvement.trainings[0].id, "number": 1, "network": "0123456789abcdef",
        "client_id": client.id, "complaint_id": complaint.id, "category_id": category.id, "reference": "TK-0001",
        "requirement_id": requirement.id, "activity_id": activity.id,
        "reason_id": db.session.scalar(select(ExitReason.id).limit(1)),
        "group_id": group.id, "member_id": group.members[0].id, "improvement_id": improvement.id,
        "task_id": improvement.tasks[0].id,
        "priority_criterion": db.session.scalar(select(PriorityCriterion.id)),
        "criterion_id": first_criterion.id, "set_id": criteria_set.id,
        "evidence_item": db.session.scalar(select(EvidenceItem.id)), "snapshot_id": snapshot.id,
        "job_id": db.session.scalar(select(PackJob.id)),
        "survey_id": survey.id, "item_id": survey.items[0].id, "wave_id": wave.id,
        "invitation_token": invitation.token, "public_token": wave.public_token,
        "pending_import": pending.id, "done_import": done.id, "demo_import": demo_import.id,
        "complaints_upload": uploads["complaints"].id, "measurements_upload": uploads["measurements"].id,
        "responses_upload": uploads["responses"].id, "alias_id": alias.id,
        "exit_wave": interview["wave_id"], "exit_response": interview["responses"]["L-002"],
        "token_id": token.id, "measurement_id": indicator_rows[0].id, "owner_id": owner_id,
        **cycle_records(criteria_set.id, today), "finding_id": finding.id,
    }


def cycle_records(set_id: int, today: date) -> dict:
    """A cycle under review, prepared by a coordinator, and the closed one before it (with a finding and a pack)."""
    preparer = User(email="preparer@example.test", name="Preparer", role=Role.COORDINATOR, password_hash="x")
    earlier = Cycle(name="Certification 2024", set_id=set_id, period_start=date(2024, 1, 1),
                    period_end=date(2024, 12, 31), visit_held_on=date(2025, 2, 1), state=CycleState.CLOSED,
                    created_by=preparer)
    cycle = Cycle(name="Renewal 2025", set_id=set_id, period_start=date(2025, 1, 1), period_end=today,
                  state=CycleState.UNDER_REVIEW, visit_held_on=today, created_by=preparer)
    db.session.add_all([preparer, earlier, cycle])
    db.session.flush()
    criterion_id = db.session.scalar(select(Criterion.id).where(Criterion.set_id == set_id).limit(1))
    db.session.add(Finding(cycle_id=earlier.id, number=1, criterion_id=criterion_id, kind=FindingKind.MINOR,
                           text="Late answers", raised_on=date(2025, 2, 1), state=FindingState.CLOSED))
    db.session.add(PackSnapshot(set_id=set_id, scope="all", language="en", fingerprint=2, page_count=1,
                                file=stored(Owner.EVIDENCE_PACK, None, "cycle.pdf", b"%PDF-1.4 cycle"),
                                cycle_id=earlier.id, statuses={}))
    db.session.flush()
    return {"cycle_id": cycle.id, "earlier_cycle_id": earlier.id}


def spare(kind: str, records: dict) -> int:
    """A fresh record for a request that removes the record in its path (so later cases keep theirs)."""
    user = User(email=f"spare{db.session.scalar(select(func.count(User.id)))}@example.test", name="Spare",
                role=Role.MEMBER, password_hash="x")
    db.session.add(user)
    db.session.flush()
    if kind == "member":
        row = GroupMember(group_id=records["group_id"], user_id=user.id, role="Member")
    elif kind == "participant":
        row = Participant(process_id=records["process_id"], user_id=user.id, role="Spare")
    elif kind == "moment":
        row = ServiceMoment(programme_id=records["programme_id"], position=9, name="Spare")
    elif kind == "stage":
        row = ProcessStage(process_id=records["process_id"], position=9, name="Spare", responsible_role="Anyone")
    elif kind == "survey_item":
        item = db.session.get(SurveyItem, records["item_id"])
        row = SurveyItem(survey_id=item.survey_id, position=99, kind=item.kind, text="Spare?",
                         key=f"spare-{db.session.scalar(select(func.count(SurveyItem.id)))}")
    elif kind == "import_alias":  # a spelling remembered by someone else
        count = db.session.scalar(select(func.count(ImportAlias.id)))
        row = ImportAlias(vocabulary="census.exit_reason", spelling=f"Spare {count}", folded=f"spare{count}",
                          value=str(records["reason_id"]), created_by_id=user.id)
    elif kind in ("owner_token", "token"):  # a live API token of the records' owner, or of someone else
        holder = db.session.get(User, records["owner_id"] if kind == "owner_token" else user.id)
        row, _secret = tokens.create_token(holder, name="Spare", scope="read", days=30)
    elif kind == "cycle":  # a cycle prepared by mistake, with no pack and no finding
        row = Cycle(name="Spare cycle", set_id=records["set_id"], period_start=date(2025, 1, 1),
                    period_end=date(2025, 12, 31))
    elif kind == "two_factor_user":  # someone whose authenticator app an administrator may reset
        row = TwoFactorCredential(user_id=user.id, secret="JBSWY3DPEHPK3PXP", confirmed_at=utcnow())
    else:
        row = user
    db.session.add(row)
    db.session.commit()
    return user.id if kind == "two_factor_user" else row.id


def url_values(app, url_rule, records: dict) -> list[dict]:
    """The path values for the rule: records by argument (or endpoint), each value of an ``any(...)``."""
    values = [{}]
    for name in sorted(url_rule.arguments):
        converter = url_rule._converters[name]
        if isinstance(converter, AnyConverter):
            values = [{**v, name: item} for v in values for item in sorted(converter.items)]
        elif name == "filename":
            values = [{**v, name: "css/app.css"} for v in values]
        else:
            key = BY_ENDPOINT.get((url_rule.endpoint, name), name)
            values = [{**v, name: records[key]} for v in values]
    return values


def expected(principal, method: str, role_rule: access.Rule, object_rule: ObjectRule):
    """What the policy answers: "allowed", 403, 404, or "login"."""
    role = Role.MEMBER if principal == OWNER else principal
    if not role_rule.allows(role, method):
        if principal == access.ANONYMOUS and any(role_rule.allows(r, method) for r in Role):
            return "login"
        return 403
    guarded = object_rule.reads or method not in access.READ_METHODS
    if guarded and principal not in object_rule.grants and principal != access.ANONYMOUS:
        return object_rule.refusal
    return "allowed"


def answered(response) -> str | int:
    location = response.headers.get("Location", "")
    if response.status_code == 401:  # the API's answer to nobody: send a token (its "login page")
        return "login"
    if response.status_code == 302 and "/login?next=" in location:
        return "login"
    if response.status_code in (403, 404):
        return response.status_code
    return "allowed"


def audit_rows() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def test_every_endpoint_with_a_record_has_an_object_rule(app):
    with_records = {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments - NOT_RECORDS}
    assert sorted(with_records - set(OBJECT_RULES)) == [], "endpoints with a record but no line in OBJECT_RULES"
    assert sorted(set(OBJECT_RULES) - with_records) == [], "OBJECT_RULES names endpoints the app no longer has"


def test_every_role_on_every_record_of_someone_else(app):
    """The crawl: GETs first (they change nothing), then POSTs, those in ``LAST`` at the end."""
    make = user_factory(app)
    users = {role: make(role) for role in (ADMIN, COORDINATOR, MEMBER, REVIEWER)}
    users[OWNER] = make("member", name="Owner")
    bystander = make("member", name="Bystander")
    with app.app_context():
        records = build_records(users[OWNER].id) | {"user_id": bystander.id}
        db.session.commit()
    with app.app_context():
        secrets = {(principal, scope): tokens.create_token(db.session.get(User, users[principal].id), name=scope,
                                                           scope=scope, days=30)[1]
                   for principal in users for scope in ("read", "write")}
        db.session.commit()
    cases = []
    for url_rule in app.url_map.iter_rules():
        for method in sorted(url_rule.methods & {"GET", "POST", "PUT"}):
            cases.append((method == "POST", url_rule.endpoint in LAST, LAST.index(url_rule.endpoint)
                          if url_rule.endpoint in LAST else -1, url_rule.endpoint, method, url_rule))
    cases.sort(key=lambda case: case[:4])
    checked, changed, wrong = 0, set(), []
    for _post, _last, _order, endpoint, method, url_rule in cases:
        role_rule = access.rule_for(endpoint, app)
        object_rule = OBJECT_RULES.get(endpoint, ROLE)
        for values in url_values(app, url_rule, records):
            for principal in PRINCIPALS:
                with app.app_context():
                    if endpoint in SPARES:
                        argument, kind = SPARES[endpoint]
                        values = {**values, argument: spare(kind, records)}
                    before = audit_rows()
                    with app.test_request_context():
                        url = url_for(endpoint, **values, **{name: records[key] for name, key
                                                             in QUERIES.get(endpoint, {}).items()})
                    client, headers = app.test_client(), {}
                    if url.startswith(api.PREFIX + "/") and principal != access.ANONYMOUS:
                        headers["Authorization"] = f"Bearer {secrets[(principal, 'write')]}"
                    elif principal != access.ANONYMOUS:
                        user = db.session.get(User, users[principal].id)
                        with client.session_transaction() as session:
                            sessions.fill(session, user)
                response = client.open(url, method=method, headers=headers, json=API_BODIES.get(endpoint))
                response.close()
                want, got = expected(principal, method, role_rule, object_rule), answered(response)
                if headers and method not in access.READ_METHODS:  # a read token writes nothing, whoever holds it
                    read_only = app.test_client().open(url, method=method, json=API_BODIES.get(endpoint), headers={
                        "Authorization": f"Bearer {secrets[(principal, 'read')]}"})
                    if read_only.status_code != 403:
                        wrong.append(f"{method} {url} as {principal} with a read token: {read_only.status_code}")
                checked += 1
                if want != got or (got == "allowed" and method == "GET"
                                   and response.status_code not in (200, 204, 302, 410)):
                    wrong.append(f"{method} {url} as {principal}: {response.status_code}, expected {want} "
                                 f"({role_rule.name} / {object_rule.name})")
                with app.app_context():
                    if audit_rows() != before:
                        if want != "allowed":
                            wrong.append(f"{method} {url} as {principal} was refused but changed data")
                        changed.add(endpoint)
    assert wrong == []
    assert changed == CHANGE_WITH_AN_EMPTY_FORM
    print(f"\n{checked} role × object × endpoint cases checked")
    assert checked > 1000
