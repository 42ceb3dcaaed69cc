"""The running totals survey results read (``surveys.totals``): equal to a recomputation from the answers after
every kind of change (answering, importing, releasing a batch, excluding a burst, deleting), right on a case
computed by hand, rebuilt by ``flask surveys rebuild-totals``, and the only thing the results page reads."""

from sqlalchemy import delete, event, select

from core.extensions import cache, db
from loyalty.models import Client
from surveys import engine, invitations, networks, releases, results, totals
from surveys.models import ResponseSource, Survey, Wave
from tests.surveys_fixtures import CLIENT_ANSWER


def _answers(n, offset=0):
    return [{**CLIENT_ANSWER, "recommend": (i + offset) % 11, "overall": 1 + (i + offset) % 5,
             "attr-speed": 1 + (i * 3) % 5, "repurchase": 1 + (i * 7 + offset) % 5,
             "_typology": ("A", "B", None)[i % 3], "_segment": f"S{i % 2}",
             "comment": (" Very kind staff ", "Very kind staff", f"Slow answers {i % 4}", "")[(i + offset) % 4]}
            for i in range(n)]


def _values(wave, row):
    items = {i.key: i for i in wave.survey.items}
    return {items[k].id: ((None, v) if k == "comment" else (float(v), None)) for k, v in row.items()
            if not k.startswith("_")}


def _rebuilt_equals_running(wave_ids):
    """The running totals, then the same rebuilt from the answers (rolled back): both as sets of rows."""
    running = totals.snapshot(wave_ids)
    with db.session.begin_nested() as savepoint:
        totals.rebuild(releases.shown_responses(wave_ids), wave_ids)
        rebuilt = totals.snapshot(wave_ids)
        savepoint.rollback()
    return running, rebuilt


def test_totals_equal_a_recomputation_after_answering_importing_excluding_and_deleting(
        app, make_survey, make_wave, make_client, add_answers):
    named = make_survey(anonymous=False)
    anonymous = make_survey()
    clients = [make_client(f"C{i}") for i in range(4)]
    named_wave = make_wave(named, public_link=True, invitees=[{"name": f"C{i}", "client_id": c, "typology": "A",
                                                               "segment": "S1"} for i, c in enumerate(clients)])
    anonymous_wave = make_wave(anonymous, public_link=True)
    add_answers(named_wave, _answers(25))  # an import
    add_answers(anonymous_wave, _answers(30))  # an import, released as a batch
    with app.app_context():
        for wave_id in (named_wave, anonymous_wave):
            wave = db.session.get(Wave, wave_id)
            for i, row in enumerate(_answers(7, offset=3)):  # answered through the public link, from one network
                engine.submit_response(wave, _values(wave, row), source=ResponseSource.PUBLIC,
                                       typology=row["_typology"], network="burst" if i < 5 else "other")
        wave = db.session.get(Wave, named_wave)
        for invitation, row in zip(wave.invitations, _answers(4, offset=5), strict=True):  # personal links
            engine.submit_response(wave, _values(wave, row), invitation=invitation)
        db.session.commit()
        running, rebuilt = _rebuilt_equals_running([named_wave, anonymous_wave])
        assert running == rebuilt and running["survey_pair_totals"]
        for wave_id in (named_wave, anonymous_wave):
            wave = db.session.get(Wave, wave_id)
            assert networks.exclude_network(wave, "burst", "A burst", actor=None) is not None
        removal = next(d for d in invitations.client_dependants(select(Client.id).where(Client.id.in_(clients[:2])))
                       if d.key == "survey_responses")
        assert removal.remove() == 2
        db.session.commit()
        running, rebuilt = _rebuilt_equals_running([named_wave, anonymous_wave])
        assert running == rebuilt
        # Imported, public (less the burst) and personal links (less the deleted).
        sizes = totals.response_sizes([named_wave, anonymous_wave])
        assert sizes[(named_wave, None)] == {"import": 25, "public": 7 - 5, "link": 4 - 2}
        # The anonymous wave's public responses wait for their batch: only the import is counted.
        assert sizes[(anonymous_wave, None)] == {"import": 30}


def test_totals_on_a_case_counted_by_hand(app, make_survey, make_wave, add_answers):
    survey = make_survey(anonymous=False)
    wave_id = make_wave(survey)
    add_answers(wave_id, [{"attr-speed": 2, "repurchase": 4, "recommend": 9, "_typology": "A"},
                          {"attr-speed": 4, "repurchase": 5, "_typology": "A"},
                          {"attr-speed": 5, "recommend": 6}])
    with app.app_context():
        items = {i.key: i.id for i in db.session.get(Survey, survey).items}
        speed, repurchase, recommend = items["attr-speed"], items["repurchase"], items["recommend"]
        pairs = totals.pair_sums(wave_id)
        # speed × repurchase over the two who answered both: x = 2, 4; y = 4, 5.
        assert pairs[(speed, repurchase)] == (2, 6, 9, 20, 41, 28)
        assert pairs[(speed, recommend)] == (2, 7, 15, 29, 117, 48)
        assert (repurchase, recommend) in pairs and pairs[(recommend, repurchase)] == (1, 9, 4, 81, 16, 36)
        assert totals.value_counts([wave_id])[(wave_id, None)][speed] == {2.0: 1, 4.0: 1, 5.0: 1}
        by_typology = totals.value_counts([wave_id], "typology")
        assert by_typology[(wave_id, "A")][speed] == {2.0: 1, 4.0: 1}
        assert by_typology[(wave_id, None)][recommend] == {6.0: 1}
        assert totals.response_sizes([wave_id], "typology") == {(wave_id, "A"): {"import": 2},
                                                                (wave_id, None): {"import": 1}}


def test_comments_on_a_case_counted_by_hand(app, make_survey, make_wave, add_answers):
    survey = make_survey(anonymous=False)
    wave_id = make_wave(survey)
    add_answers(wave_id, [{"comment": " Kind staff "}, {"comment": "Kind staff"}, {"comment": "Slow"},
                          {"comment": "  "}, {"attr-speed": 3}])
    with app.app_context():
        item = next(i for i in db.session.get(Survey, survey).items if i.key == "comment")
        comment = item.id
        # Spaces around a text do not make it another; a blank comment is none.
        assert totals.comments(wave_id, [comment], 10) == ([(comment, "Kind staff", 2), (comment, "Slow", 1)], 3)
        assert totals.comments(wave_id, [comment], 1) == ([(comment, "Kind staff", 2)], 3)
        wave = db.session.get(Wave, wave_id)
        assert results.comments(wave) == ([(item.short, [("Kind staff", 2), ("Slow", 1)])], 3)


def test_the_rebuild_command_restores_the_totals(app, runner, make_survey, make_wave, add_answers):
    survey = make_survey()
    first, second = make_wave(survey, name="One"), make_wave(survey, name="Two")
    add_answers(first, _answers(20))
    add_answers(second, _answers(12))
    with app.app_context():
        before, before_first = totals.snapshot([first, second]), totals.snapshot([first])
        for model in totals.KEPT:
            db.session.execute(delete(model))
        db.session.commit()
    result = runner.invoke(args=["surveys", "rebuild-totals", "--wave", str(first)])
    assert result.exit_code == 0, result.output
    assert "1 survey waves" in result.output
    with app.app_context():
        assert totals.snapshot([second]) == dict.fromkeys(before, set())  # not rebuilt: still empty
        assert totals.snapshot([first]) == before_first
    assert runner.invoke(args=["surveys", "rebuild-totals"]).exit_code == 0
    with app.app_context():
        assert totals.snapshot([first, second]) == before
    missing = runner.invoke(args=["surveys", "rebuild-totals", "--wave", "999999"])
    assert missing.exit_code != 0 and "no wave 999999" in missing.output


def test_the_results_page_reads_the_totals_not_the_answers(app, client_as, make_survey, make_wave, add_answers):
    survey = make_survey(template="client_satisfaction")
    wave = make_wave(survey)
    client = client_as("reviewer")
    add_answers(wave, _answers(9))
    client.get(f"/surveys/waves/{wave}/results")

    def statements():
        """The page's statements when its charts are computed, not kept (a kept chart reads one statement less)."""
        with app.app_context():
            engine_ = db.engine
            cache.clear()
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine_, "before_cursor_execute", listener)
        try:
            assert client.get(f"/surveys/waves/{wave}/results").status_code == 200
        finally:
            event.remove(engine_, "before_cursor_execute", listener)
        return seen

    few = statements()
    add_answers(wave, _answers(150))
    many = statements()
    assert len(many) == len(few), f"{len(few)} statements with 9 responses, {len(many)} with 159"
    # Nothing is read from the answers, the free-text comments included (``CommentTotal``).
    assert [s for s in many if "survey_answers" in s] == []
    assert sum("survey_comment_totals" in s for s in many) == 2
