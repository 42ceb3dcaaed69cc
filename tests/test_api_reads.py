"""The REST API's reads beyond the process map (issue 20, item 4): the census (ranking read from the kept ranking,
one client, its history), the voice of the client (complaints, requirements, listening), surveys and waves with
their results as aggregates under the results page's anonymity rules, improvements with SMART, result and trace,
their groups, and the evidence packs' snapshots with their manifests. Filters, pages, ETags, 404s, object rules,
and statements that do not grow with the page size."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from accounts import tokens
from core.extensions import db
from core.files import Owner, StoredFile
from core.models import User
from evidence.criteria_sets import ensure_builtin_sets
from evidence.models import CriteriaSet, PackSnapshot
from improvements.models import Meeting, Status, Task, TaskStatus
from loyalty.models import KeptRanking
from surveys.models import Audience, Wave
from tests.surveys_fixtures import CLIENT_ANSWER, answers_by_key
from voice.models import (
    ActivityKind,
    Channel,
    Complaint,
    ComplaintCategory,
    ContactKind,
    ListeningActivity,
    Requirement,
    RequirementSource,
    RequirementStatus,
)

ABSENT = 987654


@pytest.fixture
def token_of(app):
    """``token_of(user, scope="read") -> secret``: a live token of ``user``."""

    def factory(user, scope="read"):
        with app.app_context():
            _token, secret = tokens.create_token(db.session.get(User, user.id), name="Script", scope=scope, days=30)
            db.session.commit()
        return secret

    return factory


@pytest.fixture
def reader(app, make_user, token_of):
    """``reader(role="member") -> get(url, **headers)``: a GET with a read token of a new user of ``role``."""

    def factory(role="member", user=None):
        headers = {"Authorization": f"Bearer {token_of(user or make_user(role))}", "Accept-Language": "en"}
        client = app.test_client()
        return lambda url, **more: client.get(url, headers={**headers, **more})

    return factory


def statements(app, get, url) -> int:
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def flat(app, get, url):
    """The statements of a list's page of 2 and of 12 are as many."""
    joiner = "&" if "?" in url else "?"
    get(f"{url}{joiner}per_page=1")  # the first request: schema check, the token's time of use, kept ranking
    assert statements(app, get, f"{url}{joiner}per_page=2") == statements(app, get, f"{url}{joiner}per_page=12"), url


# --- the census ------------------------------------------------------------------------------------------------

@pytest.fixture
def census(make_client, exit_reasons):
    """Five current clients and a lost one with 2025 figures (margins 50, 30, 10, 6, 4; the lost one 20)."""
    ids = {}
    for code, margin, fields in (("C-A", 50, {"segment": "Retail", "region": "North"}),
                                 ("C-B", 30, {"segment": "Retail", "region": "South"}),
                                 ("C-C", 10, {"segment": "Trade"}), ("C-D", 6, {}),
                                 ("C-E", 4, {"joined": date(2025, 3, 1), "name": "Ferretería Sur"})):
        ids[code] = make_client(code, figures={2025: (100, margin * 2, margin)}, **fields)
    ids["C-L"] = make_client("C-L", figures={2025: (100, 40, 20)}, left=date(2025, 6, 30),
                             reason_id=exit_reasons["price"] if "price" in exit_reasons else None)
    return ids


def test_clients_are_ranked_from_the_kept_ranking_with_the_census_pages_filters(app, reader, census):
    get = reader("reviewer")
    response = get("/api/v1/clients?year=2025&per_page=3")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["year"] == 2025 and data["population"] == "current"
    assert data["meta"] == {"page": 1, "per_page": 3, "total": 5, "pages": 2}
    first = data["items"][0]
    assert (first["code"], first["rank"], first["abc"], first["contribution"]) == ("C-A", 1, "A", 50.0)
    assert first["cumulative_share"] == pytest.approx(50.0) and first["active"] is True
    assert [c["rank"] for c in data["items"]] == [1, 2, 3]
    with app.app_context():  # the ranks were read from the kept ranking, computed once for this census
        assert db.session.scalar(select(func.count(KeptRanking.id)).where(KeptRanking.year == 2025)) == 1
    # Filters narrow the rows, never the ranks.
    trade = get("/api/v1/clients?year=2025&segment=Trade").get_json()["items"]
    assert [(c["code"], c["rank"]) for c in trade] == [("C-C", 3)]
    classes = get("/api/v1/clients?year=2025&abc=A").get_json()["items"]
    assert [c["code"] for c in classes] == ["C-A", "C-B"]
    assert [c["code"] for c in get("/api/v1/clients?year=2025&q=ferreter").get_json()["items"]] == ["C-E"]
    assert [c["code"] for c in get("/api/v1/clients?year=2025&tenure=new").get_json()["items"]] == ["C-E"]
    assert [c["code"] for c in get("/api/v1/clients?year=2025&region=South").get_json()["items"]] == ["C-B"]
    everyone = get("/api/v1/clients?year=2025&population=all&status=lost").get_json()["items"]
    assert [(c["code"], c["rank"], c["active"]) for c in everyone] == [("C-L", 3, False)]
    by_name = get("/api/v1/clients?year=2025&sort=code&descending=true").get_json()["items"]
    assert [c["code"] for c in by_name] == ["C-E", "C-D", "C-C", "C-B", "C-A"]
    assert get("/api/v1/clients?abc=Z").status_code == 400
    assert get("/api/v1/clients").get_json()["year"] == 2025  # the latest year with figures


def test_the_client_list_answers_304_until_the_census_changes(app, reader, census, make_client):
    get = reader()
    etag = get("/api/v1/clients").headers["ETag"]
    assert get("/api/v1/clients", **{"If-None-Match": etag}).status_code == 304
    make_client("C-NEW", figures={2025: (1, 1, 1)})
    assert get("/api/v1/clients", **{"If-None-Match": etag}).status_code == 200


def test_one_client_with_its_figures_and_place_in_the_latest_ranking(app, reader, census, exit_reasons):
    get = reader("coordinator")
    found = get(f"/api/v1/clients/{census['C-B']}").get_json()
    assert found["code"] == "C-B" and found["figures"] == [{"year": 2025, "potential": 100.0, "purchases": 60.0,
                                                              "margin": 30.0}]
    assert found["position"] == {"year": 2025, "population": "current", "rank": 2, "of": 5, "contribution": 30.0,
                                 "cumulative_share": pytest.approx(80.0), "abc": "A"}
    lost = get(f"/api/v1/clients/{census['C-L']}").get_json()
    assert lost["left_on"] == "2025-06-30" and lost["position"]["population"] == "all"
    assert lost["position"]["rank"] == 3 and lost["position"]["of"] == 6
    if "price" in exit_reasons:
        assert lost["exit_reason"]["key"] == "price"
    assert get(f"/api/v1/clients/{ABSENT}").status_code == 404


def test_the_census_history_per_year_and_per_quarter(app, reader, census):
    get = reader()
    history = get("/api/v1/census/history?start=2024&end=2025").get_json()
    assert history["granularity"] == "year" and [p["label"] for p in history["periods"]] == ["2024", "2025"]
    year = history["periods"][1]
    assert (year["at_start"], year["new"], year["lost"], year["at_end"]) == (5, 1, 1, 5)
    assert year["churn"] == pytest.approx(20.0) and year["contribution_lost"] == pytest.approx(20.0)
    assert sum(row["clients"] for row in history["exit_reasons"]) == 1
    quarters = get("/api/v1/census/history?granularity=quarter&start=2025&end=2025").get_json()["periods"]
    assert len(quarters) == 4 and [q["lost"] for q in quarters] == [0, 1, 0, 0]
    assert get("/api/v1/census/history?start=2026&end=2025").status_code == 422
    assert get("/api/v1/census/history?granularity=week").status_code == 400


def test_census_lists_statements_do_not_grow_with_the_page_size(app, reader, make_client):
    for number in range(14):
        make_client(f"K-{number:02d}", figures={2025: (10, number, number)})
    get = reader()
    flat(app, get, "/api/v1/clients?year=2025")
    flat(app, get, "/api/v1/clients?year=2025&abc=C")


# --- the voice of the client -----------------------------------------------------------------------------------

@pytest.fixture
def voice(app, make_client):
    client_id = make_client("V-1")
    with app.app_context():
        delays, treatment = ComplaintCategory(name="Delays"), ComplaintCategory(name="Treatment")
        db.session.add_all([delays, treatment])
        db.session.flush()
        today = date.today()
        late = Complaint(reference="TCK-1", kind=ContactKind.COMPLAINT, received_on=today - timedelta(days=10),
                         channel=Channel.PHONE, category_id=delays.id, client_id=client_id,
                         description="The delivery came late", responded_on=today - timedelta(days=7),
                         resolution="Refunded")
        rude = Complaint(kind=ContactKind.CLAIM, received_on=today - timedelta(days=2), channel=Channel.EMAIL,
                         category_id=treatment.id, description="Rude answer on the phone")
        activity = ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Shop owners", held_on=today,
                                     participants=8, staff_hours=10, hourly_rate=30, external_cost=100,
                                     findings="They want written answers")
        market = ListeningActivity(kind=ActivityKind.MARKET_STUDY, title="Regional study",
                                   held_on=today - timedelta(days=400))
        db.session.add_all([late, rude, activity, market])
        db.session.flush()
        written = Requirement(statement="Answers in writing", source=RequirementSource.FOCUS_GROUP,
                              identified_on=today, activity_id=activity.id, importance=3)
        faster = Requirement(statement="Faster deliveries", source=RequirementSource.COMPLAINT,
                             identified_on=today - timedelta(days=5), complaint_id=late.id,
                             status=RequirementStatus.ANALYSED)
        db.session.add_all([written, faster])
        db.session.commit()
        return {"client": client_id, "late": late.id, "rude": rude.id, "delays": delays.id,
                "activity": activity.id, "market": market.id, "written": written.id, "faster": faster.id}


def test_complaints_filtered_as_on_the_register_and_one_with_the_requirements_it_raised(app, reader, voice):
    get = reader("reviewer")
    listed = get("/api/v1/complaints").get_json()
    assert [c["id"] for c in listed["items"]] == [voice["rude"], voice["late"]]  # newest first
    late = listed["items"][1]
    assert late["response_days"] == 3 and late["category"]["name"] == "Delays" and late["client"]["code"] == "V-1"
    assert [c["id"] for c in get("/api/v1/complaints?status=open").get_json()["items"]] == [voice["rude"]]
    assert [c["id"] for c in get(f"/api/v1/complaints?category={voice['delays']}").get_json()["items"]] == \
        [voice["late"]]
    assert [c["id"] for c in get(f"/api/v1/complaints?client={voice['client']}").get_json()["items"]] == \
        [voice["late"]]
    assert [c["id"] for c in get("/api/v1/complaints?q=tck-1").get_json()["items"]] == [voice["late"]]
    assert [c["id"] for c in get("/api/v1/complaints?kind=claim&channel=email").get_json()["items"]] == \
        [voice["rude"]]
    since = (date.today() - timedelta(days=5)).isoformat()
    assert [c["id"] for c in get(f"/api/v1/complaints?start={since}").get_json()["items"]] == [voice["rude"]]
    oldest = get("/api/v1/complaints?descending=false").get_json()["items"]
    assert [c["id"] for c in oldest] == [voice["late"], voice["rude"]]
    one = get(f"/api/v1/complaints/{voice['late']}").get_json()
    assert one["reference"] == "TCK-1" and [r["id"] for r in one["requirements"]] == [voice["faster"]]
    assert get(f"/api/v1/complaints/{ABSENT}").status_code == 404
    assert get("/api/v1/complaints?status=lost").status_code == 400


def test_requirements_and_listening_activities_filtered_as_on_their_pages(app, reader, voice):
    get = reader()
    listed = get("/api/v1/requirements").get_json()["items"]
    assert [r["id"] for r in listed] == [voice["written"], voice["faster"]]
    assert listed[0]["origin"] == {"kind": "activity", "id": voice["activity"]}
    assert [r["id"] for r in get("/api/v1/requirements?status=analysed").get_json()["items"]] == [voice["faster"]]
    assert [r["id"] for r in get("/api/v1/requirements?source=complaint").get_json()["items"]] == [voice["faster"]]
    assert [r["id"] for r in get("/api/v1/requirements?q=WRITING").get_json()["items"]] == [voice["written"]]
    by_importance = get("/api/v1/requirements?sort=importance&descending=false").get_json()["items"]
    assert [r["id"] for r in by_importance] == [voice["faster"], voice["written"]]
    one = get(f"/api/v1/requirements/{voice['faster']}").get_json()
    assert one["origin"] == {"kind": "complaint", "id": voice["late"]} and one["status"] == "analysed"
    assert get(f"/api/v1/requirements/{ABSENT}").status_code == 404

    activities = get("/api/v1/listening").get_json()["items"]
    assert [(a["id"], a["produced"]) for a in activities] == [(voice["activity"], 1), (voice["market"], 0)]
    assert activities[0]["cost"] == 400.0
    assert [a["id"] for a in get("/api/v1/listening?kind=market_study").get_json()["items"]] == [voice["market"]]
    assert [a["id"] for a in get("/api/v1/listening?q=written").get_json()["items"]] == [voice["activity"]]
    recent = (date.today() - timedelta(days=30)).isoformat()
    assert [a["id"] for a in get(f"/api/v1/listening?start={recent}").get_json()["items"]] == [voice["activity"]]
    detail = get(f"/api/v1/listening/{voice['activity']}").get_json()
    assert [r["statement"] for r in detail["requirements"]] == ["Answers in writing"]
    assert get(f"/api/v1/listening/{ABSENT}").status_code == 404


def test_voice_lists_statements_do_not_grow_with_the_page_size(app, reader, voice):
    with app.app_context():
        for number in range(12):
            db.session.add(Complaint(kind=ContactKind.COMPLAINT, received_on=date(2025, 1, number + 1),
                                     channel=Channel.WEB, category_id=voice["delays"], description=f"#{number}"))
            activity = ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title=f"Group {number}",
                                         held_on=date(2025, 1, number + 1))
            db.session.add(activity)
            db.session.flush()
            db.session.add(Requirement(statement=f"Need {number}", source=RequirementSource.FOCUS_GROUP,
                                       identified_on=date(2025, 1, 1), activity_id=activity.id))
        db.session.commit()
    get = reader()
    for url in ("/api/v1/complaints", "/api/v1/requirements", "/api/v1/listening"):
        flat(app, get, url)


# --- surveys ------------------------------------------------------------------------------------------------------

def _answers(count, **extra):
    return [{**{k: v for k, v in CLIENT_ANSWER.items() if k != "comment"}, **extra} for _ in range(count)]


def test_surveys_and_waves_filtered_with_the_responses_each_shows(app, reader, make_survey, make_wave):
    anonymous = make_survey(title="Satisfaction")
    named = make_survey("staff_participation", audience=Audience.STAFF, anonymous=False, title="Staff voice")
    first = make_wave(anonymous, name="2024", opens_on=date(2024, 3, 1))
    second = make_wave(anonymous, name="2025", opens_on=date(2025, 3, 1), invitees=[{"name": "Ana"}])
    staff = make_wave(named, name="Spring", status="draft")
    answers_by_key(app, first, _answers(4))  # below a batch: none shown yet
    get = reader("reviewer")
    listed = get("/api/v1/surveys").get_json()
    assert [s["title"] for s in listed["items"]] == ["Satisfaction", "Staff voice"]
    waves = listed["items"][0]["waves"]
    assert [(w["name"], w["responses"]) for w in waves] == [("2024", 0), ("2025", 0)]
    assert [s["id"] for s in get("/api/v1/surveys?anonymity=named").get_json()["items"]] == [named]
    assert [s["id"] for s in get("/api/v1/surveys?audience=staff").get_json()["items"]] == [named]
    assert [s["id"] for s in get("/api/v1/surveys?q=2025").get_json()["items"]] == [anonymous]  # a wave's name
    detail = get(f"/api/v1/surveys/{anonymous}").get_json()
    assert detail["anonymous"] is True and {i["key"] for i in detail["items"]} >= {"overall", "recommend"}
    assert get(f"/api/v1/surveys/{ABSENT}").status_code == 404
    assert [w["id"] for w in get(f"/api/v1/waves?survey={anonymous}").get_json()["items"]] == [first, second]
    assert [w["id"] for w in get("/api/v1/waves?status=draft").get_json()["items"]] == [staff]
    one = get(f"/api/v1/waves/{second}").get_json()
    assert one["invited"] == 1 and one["responses"] == 0 and "token" not in str(one)
    assert get(f"/api/v1/waves/{ABSENT}").status_code == 404
    assert get(f"/api/v1/waves?survey={ABSENT}").status_code == 404
    # Responses are not audited: the list's ETag moves with the responses shown.
    etag = get("/api/v1/surveys").headers["ETag"]
    assert get("/api/v1/surveys", **{"If-None-Match": etag}).status_code == 304
    answers_by_key(app, first, _answers(1))  # the fifth makes a batch
    again = get("/api/v1/surveys", **{"If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["items"][0]["waves"][0]["responses"] == 5


def test_an_anonymous_wave_below_the_minimum_cut_gives_only_its_counts(app, reader, make_survey, make_wave):
    wave = make_wave(make_survey())
    answers_by_key(app, wave, _answers(2, _typology="Shop"))
    get = reader("coordinator")
    waiting = get(f"/api/v1/waves/{wave}/results").get_json()
    assert waiting["responses"] == 0 and waiting["release"]["waiting"] == 2 and waiting["hidden"] is True
    with app.app_context():  # closing releases what a wave has before its first batch
        db.session.get(Wave, wave).close()
        db.session.commit()
    results = get(f"/api/v1/waves/{wave}/results").get_json()
    assert results["responses"] == 2 and results["hidden"] is True and results["min_cut"] == 3
    assert results["items"] == [] and results["breakdowns"] == {} and results["comment_count"] == 0
    assert all(value is None for value in results["headline"].values())
    assert [point["csat"] for point in results["trend"]] == [None]
    assert get(f"/api/v1/waves/{ABSENT}/results").status_code == 404


def test_a_wave_s_results_are_the_results_page_s_aggregates_with_small_groups_left_out(app, reader, make_survey,
                                                                                     make_wave):
    wave = make_wave(make_survey())
    answers_by_key(app, wave, [*_answers(4, _typology="Shop", comment="Lovely"),
                               *_answers(1, _typology="Workshop", comment="Only I would say this")])
    response = reader()(f"/api/v1/waves/{wave}/results")
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()
    assert results["responses"] == 5 and results["hidden"] is False
    assert results["headline"]["csat"] == 100.0 and results["headline"]["nps"]["nps"] == 100.0
    overall = next(item for item in results["items"] if item["key"] == "overall")
    assert overall["n"] == 5 and overall["mean"] == 4.0
    assert {d["label"]: d["count"] for d in overall["distribution"]}["4"] == 5
    typology = results["breakdowns"]["typology"]
    assert [g["name"] for g in typology["groups"]] == ["Shop"] and typology["hidden_groups"] == 1
    text = response.get_data(as_text=True)
    assert "Only I would say this" not in text and "Lovely" not in text  # no comment's text, only how many
    assert results["comment_count"] == 5


def test_surveys_lists_statements_do_not_grow_with_the_page_size(app, reader, make_survey, make_wave):
    for number in range(6):
        survey = make_survey(title=f"Survey {number:02d}")
        make_wave(survey, name=f"A{number}")
        make_wave(survey, name=f"B{number}", invitees=[{"name": "Ana"}])
    get = reader()
    flat(app, get, "/api/v1/surveys")
    flat(app, get, "/api/v1/waves")


# --- improvements -------------------------------------------------------------------------------------------------

@pytest.fixture
def groups(app, make_user, make_group, make_improvement):
    member = make_user("member", name="In the group")
    outsider = make_user("member", name="Elsewhere")
    own = make_group("Written answers", members={member.id: "Member"})
    other = make_group("Shorter queues", members={outsider.id: "Member"})
    checked = make_improvement(own, status=Status.IMPLEMENTED, smart=True, title="Answer in writing",
                               after_value=95.0, implemented_on=date(2025, 6, 1),
                               tasks=[("Template", member.id, date(2025, 5, 1), TaskStatus.DONE)])
    raw = make_improvement(other, planned=False, title="Shorter waits")
    with app.app_context():
        db.session.add(Meeting(group_id=own, held_on=date(2025, 2, 1), decisions="Try written answers"))
        db.session.commit()
    return {"member": member, "outsider": outsider, "own": own, "other": other, "checked": checked, "raw": raw}


def test_improvements_with_smart_result_c1_and_trace_and_what_each_may_change(app, reader, groups):
    get = reader(user=groups["member"])
    listed = get("/api/v1/improvements").get_json()["items"]
    assert {i["id"]: i["may_edit"] for i in listed} == {groups["checked"]: True, groups["raw"]: False}
    checked = next(i for i in listed if i["id"] == groups["checked"])
    assert checked["smart"]["checked"] and checked["smart"]["passed"] and checked["smart"]["failures"] == []
    assert [c["key"] for c in checked["smart"]["criteria"]] == ["specific", "measurable", "achievable", "relevant",
                                                                 "time_bound"]
    assert (checked["result"]["before"], checked["result"]["after"], checked["result"]["improved"]) == \
        (40.0, 95.0, True)
    assert [link["key"] for link in checked["trace"]][:3] == ["client_voice", "opportunity", "smart"]
    assert {link["key"]: link["present"] for link in checked["trace"]}["actions"] is True
    assert checked["c1"]["qualifies"] is False and checked["c1"]["reasons"]  # clients' valuation is missing
    raw = get(f"/api/v1/improvements/{groups['raw']}").get_json()  # someone else's group: read, not changed
    assert raw["may_edit"] is False and raw["smart"]["checked"] is False and raw["smart"]["failures"]
    assert raw["group"]["name"] == "Shorter queues"
    mine = get(f"/api/v1/improvements/{groups['checked']}").get_json()
    assert [t["title"] for t in mine["tasks"]] == ["Template"] and mine["may_edit"] is True
    assert [i["id"] for i in get(f"/api/v1/improvements?group={groups['other']}").get_json()["items"]] == \
        [groups["raw"]]
    assert [i["id"] for i in get("/api/v1/improvements?q=writing").get_json()["items"]] == [groups["checked"]]
    assert get(f"/api/v1/improvements/{ABSENT}").status_code == 404
    reviewer = reader("reviewer")
    assert not any(i["may_edit"] for i in reviewer("/api/v1/improvements").get_json()["items"])
    coordinator = reader("coordinator")
    assert all(i["may_edit"] for i in coordinator("/api/v1/improvements").get_json()["items"])


def test_groups_with_members_meetings_and_improvements(app, reader, groups):
    get = reader(user=groups["outsider"])
    listed = get("/api/v1/improvement-groups").get_json()["items"]
    assert [(g["name"], g["may_edit"]) for g in listed] == [("Shorter queues", True), ("Written answers", False)]
    other = get(f"/api/v1/improvement-groups/{groups['own']}").get_json()  # another group: read as on its page
    assert other["may_edit"] is False and [m["user"]["name"] for m in other["members"]] == ["In the group"]
    assert [m["decisions"] for m in other["meetings"]] == ["Try written answers"]
    assert [i["id"] for i in other["improvements"]] == [groups["checked"]]
    assert get(f"/api/v1/improvement-groups/{ABSENT}").status_code == 404
    assert reader("reviewer")(f"/api/v1/improvement-groups/{groups['own']}").get_json()["may_edit"] is False


def test_improvement_lists_statements_do_not_grow_with_the_page_size(app, reader, make_user, make_group,
                                                                     make_improvement):
    owner = make_user("member")
    for number in range(7):
        group = make_group(f"Group {number:02d}", members={owner.id: "Member"})
        for status in (Status.OPPORTUNITY, Status.APPROVED):
            improvement = make_improvement(group, status=status, smart=status == Status.APPROVED)
            with app.app_context():
                db.session.add(Task(improvement_id=improvement, title="Do", owner_id=owner.id,
                                    due_on=date(2025, 1, 1)))
                db.session.commit()
    get = reader(user=owner)
    flat(app, get, "/api/v1/improvements")
    flat(app, get, "/api/v1/improvement-groups")


# --- evidence packs -----------------------------------------------------------------------------------------------

@pytest.fixture
def packs(app, make_user):
    author = make_user("coordinator", name="Author")
    with app.app_context():
        ensure_builtin_sets()
        db.session.flush()
        criteria_set = db.session.scalar(select(CriteriaSet).order_by(CriteriaSet.id))
        ids = []
        for number in range(14):
            data = f"%PDF-1.4 pack {number}".encode()
            file = StoredFile(filename=f"pack-{number}.pdf", kind="pdf", content_type="application/pdf",
                              size=len(data), sha256=f"{number:064d}", owner=Owner.EVIDENCE_PACK, data=data)
            snapshot = PackSnapshot(set_id=criteria_set.id, scope="all", language="en", fingerprint=number,
                                    file=file, page_count=4, created_by_id=author.id, audit_head="1:abc",
                                    statuses={"B1": {"automatic": "met", "self_assessment": None, "verdict": None}},
                                    manifest=[{"name": f"B1-1-v1-minutes{number}.pdf", "title": "Minutes",
                                               "size": 10, "sha256": "f" * 64, "revision": 1,
                                               "criteria": ["B1"]}])
            db.session.add(snapshot)
            db.session.flush()
            ids.append(snapshot.id)
        db.session.commit()
    return ids


def test_pack_snapshots_with_their_manifests_for_coordinators_and_reviewers_only(app, reader, packs):
    get = reader("reviewer")
    listed = get("/api/v1/packs?per_page=2").get_json()
    assert [p["id"] for p in listed["items"]] == [packs[13], packs[12]] and listed["meta"]["total"] == 14
    newest = listed["items"][0]
    assert newest["manifest"][0]["name"] == "B1-1-v1-minutes13.pdf" and newest["created_by"]["name"] == "Author"
    assert newest["file"] == {"filename": "pack-13.pdf", "size": len(b"%PDF-1.4 pack 13"), "sha256": f"{13:064d}",
                              "download": f"/evidence/packs/{packs[13]}/download"}
    assert "%PDF" not in get("/api/v1/packs").get_data(as_text=True)  # never the PDF's bytes
    one = get(f"/api/v1/packs/{packs[0]}").get_json()
    assert one["statuses"]["B1"]["automatic"] == "met" and len(one["content_digest"]) == 64
    assert get(f"/api/v1/packs/{ABSENT}").status_code == 404
    assert get(f"/api/v1/packs?set={ABSENT}").get_json()["items"] == []
    member = reader("member")
    assert member("/api/v1/packs").status_code == 403 and member(f"/api/v1/packs/{packs[0]}").status_code == 403
    flat(app, reader("coordinator"), "/api/v1/packs")


# --- everyone -----------------------------------------------------------------------------------------------------

READS = ("/api/v1/clients", "/api/v1/clients/1", "/api/v1/census/history", "/api/v1/complaints",
         "/api/v1/complaints/1", "/api/v1/requirements", "/api/v1/requirements/1", "/api/v1/listening",
         "/api/v1/listening/1", "/api/v1/surveys", "/api/v1/surveys/1", "/api/v1/waves", "/api/v1/waves/1",
         "/api/v1/waves/1/results", "/api/v1/improvements", "/api/v1/improvements/1", "/api/v1/improvement-groups",
         "/api/v1/improvement-groups/1", "/api/v1/packs", "/api/v1/packs/1")


def test_nobody_without_a_token_reads_anything(client):
    for url in READS:
        response = client.get(url)
        assert response.status_code == 401 and response.mimetype == "application/problem+json", url


def test_every_read_is_in_the_openapi_document(client):
    paths = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    assert paths >= {
        "/api/v1/clients", "/api/v1/clients/{client_id}", "/api/v1/census/history", "/api/v1/complaints",
        "/api/v1/complaints/{complaint_id}", "/api/v1/requirements", "/api/v1/requirements/{requirement_id}",
        "/api/v1/listening", "/api/v1/listening/{activity_id}", "/api/v1/surveys", "/api/v1/surveys/{survey_id}",
        "/api/v1/waves", "/api/v1/waves/{wave_id}", "/api/v1/waves/{wave_id}/results", "/api/v1/improvements",
        "/api/v1/improvements/{improvement_id}", "/api/v1/improvement-groups",
        "/api/v1/improvement-groups/{group_id}", "/api/v1/packs", "/api/v1/packs/{snapshot_id}"}
