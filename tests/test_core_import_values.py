"""The import wizard's value mapping (``core.imports.values``): suggestions ignoring accents and case, aliases read
the same by both readers, remembered per list so the next file is not asked about, new values only by
coordinators, and the check page's step (a GET writes nothing; the POST saves and checks again)."""

import io
import re

import pandas as pd
import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.imports import Column, ImportSpec, parse, read_table
from core.imports.cells import normalise
from core.imports.columns import convert_column
from core.imports.frames import read_frame
from core.imports.values import (
    CREATE,
    ImportAlias,
    Option,
    apply_choices,
    remember,
    remembered,
    suggestion,
    unmatched,
)
from core.models import User
from loyalty import census_import
from loyalty.models import Client, ExitReason

#: The organisation's own wording of the reasons (seeds/003), none of them one of the app's spellings.
OWN_WORDING = ("Código;Nombre;Tipología;Fecha alta;Fecha baja;Motivo baja\n"
               "C-1;Uno;Usuario final;01/01/2020;30/06/2024;Insatisfacción con el servicio\n"
               "C-2;Dos;Usuario final;01/01/2020;30/06/2024;INSATISFACCION CON EL SERVICIO\n"
               "C-3;Tres;Usuario final;01/01/2020;30/06/2024;No desea renovación\n"
               "C-4;Cuatro;Usuario final;01/01/2020;30/06/2024;Cancelación por falta de pago\n"
               "C-5;Cinco;Particular VIP;01/01/2020;;\n")



def test_suggestions_ignore_accents_and_case_and_stay_quiet_when_nothing_is_close(ctx, exit_reasons):
    options = census_import.exit_reason_options()
    assert suggestion("Insatisfacción con el servicio", options) == exit_reasons["dissatisfaction"]
    assert suggestion("INSATISFACCION CON EL SERVICIO", options) == exit_reasons["dissatisfaction"]
    assert suggestion("No desea renovación", options) == exit_reasons["no_renewal"]
    assert suggestion("Cancelación por falta de pago", options) == exit_reasons["non_payment"]
    assert suggestion("Zzqx wvk", options) is None
    labels = [Option("a", "Mensual"), Option("b", "Trimestral")]
    assert suggestion("trimestrál", labels) == "b"


def test_aliases_come_first_and_both_readers_and_converters_agree(app):
    column = Column("reason", "Reason", "choice", choices={"Dissatisfaction": 3, "No use": 6}, vocabulary="x",
                    aliases={normalise("Insatisfacción con el servicio"): 3}, required=False)
    cells = ["Insatisfacción con el servicio", "insatisfaccion  con el servicio", "No use", "Aburrimiento", ""]
    with app.test_request_context():
        by_cell = []
        convert = column.converter(cells)
        for cell in cells:
            try:
                by_cell.append(convert(cell))
            except ValueError as error:
                by_cell.append(str(error))
        values, problems = convert_column(column, pd.Series(cells, index=range(2, 7), dtype=object))
        by_column = [problems.get(number, values[number]) for number in range(2, 7)]
        assert by_cell == by_column == [3, 3, 6, "“Aburrimiento” is not one of: Dissatisfaction, No use.", None]
        spec = ImportSpec([Column("code", "Code"), column])
        data = "Code;Reason\nA;Insatisfacción con el servicio\nB;No use\nC;Aburrimiento\n".encode()
        by_row = parse(read_table(data, "f.csv"), spec, {"code": "Code", "reason": "Reason"})
        by_frame = parse(read_frame(data, "f.csv"), spec, {"code": "Code", "reason": "Reason"})
        assert [(e.row, e.message) for e in by_row.errors] == [(e.row, e.message) for e in by_frame.errors]
        assert by_frame.values["reason"].tolist() == [row.values["reason"] for row in by_row._parsed_rows(
            by_row.values.index)] == [3, 6, None]


def test_aliases_change_the_key_of_a_column_so_a_memoised_parse_is_not_reused():
    plain = Column("reason", "Reason", "choice", choices={"A": 1}, vocabulary="x")
    aliased = Column("reason", "Reason", "choice", choices={"A": 1}, vocabulary="x", aliases={"ay": 1})
    assert plain.key() != aliased.key()
    with pytest.raises(ValueError):
        Column("reason", "Reason", "choice")  # neither choices nor a vocabulary
    with pytest.raises(ValueError):
        Column("reason", "Reason", "text", vocabulary="x")


def _check(text, mapping=None):
    table = read_frame(text.encode(), "censo.csv")
    return census_import.check(table, mapping or census_import.SPEC.guess_mapping(table.headers), year=2024,
                               full_census=False)


def test_unmatched_values_are_listed_once_with_their_rows_and_a_suggestion(ctx, exit_reasons):
    plan = _check(OWN_WORDING)
    found = {match.column.field: match for match in unmatched(plan.result)}
    assert set(found) == {"exit_reason", "typology"}
    reasons = [(v.spelling, v.rows_count, v.example_rows, v.suggestion) for v in found["exit_reason"].values]
    assert reasons == [("Insatisfacción con el servicio", 2, [2, 3], exit_reasons["dissatisfaction"]),
                       ("Cancelación por falta de pago", 1, [5], exit_reasons["non_payment"]),
                       ("No desea renovación", 1, [4], exit_reasons["no_renewal"])]
    assert [v.spelling for v in found["typology"].values] == ["Particular VIP"]
    assert len({v.field_name for v in found["exit_reason"].values}) == 3


def test_a_remembered_spelling_counts_as_its_reason_in_the_next_file(ctx, exit_reasons, make_user):
    analyst = make_user("member")
    remember("census.exit_reason", "Insatisfacción con el servicio", exit_reasons["dissatisfaction"], analyst)
    assert remembered(census_import.SPEC).column("exit_reason").aliases == {
        "insatisfaccionconelservicio": exit_reasons["dissatisfaction"]}
    plan = _check(OWN_WORDING)
    rows = plan.result.values
    assert rows.loc[[2, 3], "exit_reason_id"].tolist() == [exit_reasons["dissatisfaction"]] * 2
    assert [v.spelling for match in unmatched(plan.result) if match.column.field == "exit_reason"
            for v in match.values] == ["Cancelación por falta de pago", "No desea renovación"]


def test_new_values_are_created_only_for_coordinators(ctx, exit_reasons, make_user):
    member, coordinator = make_user("member"), make_user("coordinator")
    columns = [match for match in unmatched(_check(OWN_WORDING).result) if match.column.field == "exit_reason"]
    choices = {value.field_name: CREATE for value in columns[0].values}
    assert apply_choices(columns, choices, member) == 0
    assert db.session.scalar(select(func.count()).select_from(ExitReason)) == len(exit_reasons)
    assert apply_choices(columns, choices, coordinator) == 3
    names = set(db.session.scalars(select(ExitReason.name)))
    assert {"Insatisfacción con el servicio", "No desea renovación", "Cancelación por falta de pago"} <= names
    typology = [match for match in unmatched(_check(OWN_WORDING).result) if match.column.field == "typology"]
    assert apply_choices(typology, {typology[0].values[0].field_name: CREATE}, coordinator) == 0  # a fixed list


# --- the check page ------------------------------------------------------------------------------

@pytest.fixture
def analyst(app, client_as, exit_reasons):
    member = client_as("member")

    def upload(text):
        response = member.post("/clients/import", data={"file": (io.BytesIO(text.encode()), "censo.csv"),
                                                         "year": "2024"}, content_type="multipart/form-data")
        assert response.status_code == 302
        return response.headers["Location"]

    member.upload = upload
    return member


def _selected(page):
    """Each value-to-match select's name and its selected option."""
    found = {}
    for name, body in re.findall(r'<select[^>]*name="(match_\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        found[name] = chosen[1] if chosen else None
    return found


def _hidden(page):
    return dict(re.findall(r'<input type="hidden" name="(column_\w+|census_version)" value="([^"]*)"', page))


def _counts():
    return (db.session.scalar(select(func.count()).select_from(ImportAlias)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def test_the_check_page_asks_once_and_the_next_file_goes_through(app, analyst, exit_reasons):
    url = analyst.upload(OWN_WORDING)
    with app.app_context():
        before = _counts()
    page = analyst.get(url).get_data(as_text=True)
    assert 'data-testid="values-to-match"' in page and "“Insatisfacción con el servicio”" in page
    assert "2 rows" in page
    selected = _selected(page)
    assert len(selected) == 4
    assert sorted(v for v in selected.values() if v) == sorted(
        [*(f"value:{exit_reasons[key]}" for key in ("dissatisfaction", "no_renewal", "non_payment")),
         "value:end_user"])  # "Particular VIP" is like "particular", an end user
    assert "Add it to the exit reasons" not in page  # a member does not add to the list
    analyst.get(url)
    with app.app_context():
        assert _counts() == before  # a GET writes nothing
    # The typology is left as an error; the reasons are taken as suggested.
    choices = {name: "leave" if value == "value:end_user" else value for name, value in selected.items()}
    response = analyst.post(url, data={**_hidden(page), **choices, "match": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "3 values matched" in page
    assert "“Insatisfacción con el servicio”" not in page and "“Particular VIP”" in page
    with app.app_context():
        aliases = {a.spelling: (a.value, a.created_by_id) for a in db.session.scalars(select(ImportAlias))}
        assert aliases["Insatisfacción con el servicio"][0] == str(exit_reasons["dissatisfaction"])
        assert len(aliases) == 3
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.entity_type == "import_aliases")) == 3
    # The next file, written the same way, is not asked about; imported, the reasons are the app's.
    url = analyst.upload(OWN_WORDING.replace("Particular VIP", "Particular"))
    page = analyst.get(url).get_data(as_text=True)
    assert 'data-testid="values-to-match"' not in page and "No rows rejected" in page
    assert analyst.post(url, data={**_hidden(page), "confirm": "1"}).status_code == 302
    with app.app_context():
        keys = {c.code: c.exit_reason.key for c in db.session.scalars(select(Client)) if c.exit_reason}
        assert keys == {"C-1": "dissatisfaction", "C-2": "dissatisfaction", "C-3": "no_renewal",
                        "C-4": "non_payment"}


def test_a_coordinator_may_create_a_reason_from_the_check_page(app, client_as, exit_reasons):
    coordinator = client_as("coordinator")
    response = coordinator.post("/clients/import", data={
        "file": (io.BytesIO("Código;Nombre;Tipología;Fecha alta;Fecha baja;Motivo baja\n"
                            "C-1;Uno;Usuario final;01/01/2020;30/06/2024;Cierre del negocio\n".encode()),
                 "censo.csv"), "year": "2024"}, content_type="multipart/form-data")
    url = response.headers["Location"]
    page = coordinator.get(url).get_data(as_text=True)
    assert "Add it to the exit reasons" in page
    (name,) = _selected(page)
    page = coordinator.post(url, data={**_hidden(page), name: "create", "match": "1"}).get_data(as_text=True)
    assert "1 value matched" in page and "No rows rejected" in page
    with app.app_context():
        assert db.session.scalar(select(ExitReason).where(ExitReason.name == "Cierre del negocio")) is not None
        assert db.session.scalar(select(User.id).where(User.role == "coordinator")) is not None


# --- the settings page ---------------------------------------------------------------------------

@pytest.fixture
def alias_id(app, exit_reasons, make_user):
    with app.app_context():
        alias = remember("census.exit_reason", "Insatisfacción con el servicio", exit_reasons["dissatisfaction"],
                         make_user("member"))
        db.session.commit()
        return alias.id


def _audited(action):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == "import_aliases", AuditEntry.action == action))


def test_the_import_matches_are_listed_changed_and_forgotten_by_a_coordinator(app, client_as, alias_id,
                                                                              exit_reasons):
    coordinator = client_as("coordinator")
    page = coordinator.get("/settings/import-matches").get_data(as_text=True)
    assert 'data-testid="matches-census.exit_reason"' in page and "“Insatisfacción con el servicio”" in page
    assert f'<option value="{exit_reasons["dissatisfaction"]}" selected>Dissatisfaction</option>' in page
    assert "Import matches" in coordinator.get("/clients/settings").get_data(as_text=True)
    response = coordinator.post(f"/settings/import-matches/{alias_id}", data={"value": exit_reasons["poor_service"]})
    assert response.status_code == 302
    coordinator.post(f"/settings/import-matches/{alias_id}", data={"value": "99999"})  # not one of the list's
    with app.app_context():
        assert db.session.get(ImportAlias, alias_id).value == str(exit_reasons["poor_service"])
        assert _audited("update") == 1
    page = coordinator.get(f"/settings/import-matches/{alias_id}/forget").get_data(as_text=True)
    assert "counts as “Poor service”" in page
    with app.app_context():
        assert db.session.get(ImportAlias, alias_id) is not None  # the confirmation page removes nothing
    assert coordinator.post(f"/settings/import-matches/{alias_id}/forget").status_code == 302
    with app.app_context():
        assert db.session.get(ImportAlias, alias_id) is None and _audited("delete") == 1
    assert "No matches yet" in coordinator.get("/settings/import-matches").get_data(as_text=True)


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_only_coordinators_see_or_change_the_import_matches(app, client_as, alias_id, role):
    other = client_as(role)
    assert other.get("/settings/import-matches").status_code == 403
    assert other.post(f"/settings/import-matches/{alias_id}/forget").status_code == 403
    assert "import-matches-link" not in other.get("/clients/settings").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ImportAlias, alias_id) is not None


def test_the_check_page_speaks_spanish(app, client_as, exit_reasons):
    member = client_as("member", language="es")
    response = member.post("/clients/import", data={"file": (io.BytesIO(OWN_WORDING.encode()), "censo.csv"),
                                                     "year": "2024"}, content_type="multipart/form-data")
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "Valores por emparejar" in page and "Dejarlo como error" in page and "2 filas" in page
    assert "Guardar estas equivalencias y comprobar de nuevo" in page


# --- the complaint import ------------------------------------------------------------------------

COMPLAINTS = ("Referencia;Tipo;Fecha;Canal;Categoría;Descripción\n"
              "T-1;Reclamacion formal;03/02/2025;WhatsApp;Retrasos en la entrega;Tarde\n"
              "T-2;Queja;04/02/2025;Teléfono;Trato del personal;Borde\n")


def test_a_complaint_file_maps_kinds_and_channels_and_adds_a_category_once(app, client_as):
    from voice.models import Channel, Complaint, ComplaintCategory, ContactKind

    with app.app_context():
        db.session.add(ComplaintCategory(name="Delays", active=True))
        db.session.commit()
    coordinator = client_as("coordinator")

    def upload():
        response = coordinator.post("/clients/complaints/import", content_type="multipart/form-data",
                                    data={"file": (io.BytesIO(COMPLAINTS.encode()), "quejas.csv")})
        return response.headers["Location"]

    url = upload()
    page = coordinator.get(url).get_data(as_text=True)
    for field in ("kind", "channel", "category"):
        assert f'data-testid="match-{field}"' in page
    assert "Add it to the categories" in page
    selects = _selected(page)
    names = {text: name for name, text in re.findall(r'<label for="(match_\w+)">“([^”]+)”</label>', page)}
    assert set(names) == {"Reclamacion formal", "WhatsApp", "Retrasos en la entrega", "Trato del personal"}
    assert selects[names["Reclamacion formal"]] == "value:claim"
    with app.app_context():
        delays = db.session.scalar(select(ComplaintCategory.id).where(ComplaintCategory.name == "Delays"))
    choices = {names["Reclamacion formal"]: "value:claim", names["WhatsApp"]: "value:other",
               names["Retrasos en la entrega"]: f"value:{delays}", names["Trato del personal"]: "create"}
    page = coordinator.post(url, data={**_hidden(page), **choices, "match": "1"}).get_data(as_text=True)
    assert "4 values matched" in page and "No rows rejected" in page
    assert coordinator.post(url, data={**_hidden(page), "confirm": "1"}).status_code == 302
    page = coordinator.get(upload()).get_data(as_text=True)
    assert 'data-testid="values-to-match"' not in page  # the next file is not asked about
    with app.app_context():
        found = {c.reference: (c.kind, c.channel, c.category.name) for c in db.session.scalars(select(Complaint))}
        assert found == {"T-1": (ContactKind.CLAIM, Channel.OTHER, "Delays"),
                         "T-2": (ContactKind.COMPLAINT, Channel.PHONE, "Trato del personal")}


def test_a_file_with_many_values_to_match_lists_those_in_most_rows_first(app, analyst, monkeypatch):
    from core.imports import wizard

    monkeypatch.setattr(wizard, "MATCHES_SHOWN", 2)
    url = analyst.upload(OWN_WORDING)
    page = analyst.get(url).get_data(as_text=True)
    assert len(_selected(page)) == 3  # the typology; of the reasons, two rows first, then the first alphabetically
    assert "The 2 values written in most rows are listed, of 3" in page
    listed = re.findall(r'<label for="match_\w+">“([^”]+)”</label>', page)
    assert listed == ["Particular VIP", "Insatisfacción con el servicio", "Cancelación por falta de pago"]
