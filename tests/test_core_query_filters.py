"""Filters in the query string: a value a list does not offer is ignored (the list shows everything), never a 500."""

import pytest
from flask import url_for

from core.forms import read_filters
from processes.forms import ProcessFilterForm

#: Every query argument a list or filter form of the app reads.
QUERY_ARGUMENTS = (
    "q kind status programme category channel start end source typology segment region abc tenure strategic year "
    "role sort dir page group set show from to granularity actor entity_type entity_id date_from date_to "
    "programme_id process_id client parent origin report before after lang joint use anonymity audience qualifies"
).split()
#: Refused values, each sent in every argument at once (each argument is read on its own, so one refused
#: value cannot hide another).
BAD_VALUES = ("x", "-1", "0", "2024-13-45", "99999999999")


def list_urls(app) -> list[str]:
    """Each GET page without a record in its path (exports in CSV)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments - {"fmt"} and rule.endpoint != "static":
                urls.append(url_for(rule.endpoint, **({"fmt": "csv"} if "fmt" in rule.arguments else {})))
    return sorted(urls)


def test_no_list_fails_on_a_query_value_it_does_not_offer(app, client_as, make_process):
    make_process(code="P1")
    admin = client_as("admin")
    tried = 0
    for url in list_urls(app):
        for query in [dict.fromkeys(QUERY_ARGUMENTS, value) for value in BAD_VALUES]:
            response = admin.get(url, query_string=query)
            assert response.status_code < 500, f"{url}?{query}: {response.status_code}"
            tried += 1
    assert tried > 200


@pytest.mark.parametrize(("url", "shown"), [
    ("/processes/list?status=x", "P1"),
    ("/processes/list?kind=x", "P1"),
    ("/processes/list?kind=x&status=nonsense&programme=abc", "P1"),
    ("/clients/complaints?kind=x", "Complaints"),
    ("/clients/complaints/export.csv?kind=x&channel=y&start=nope", "Reference"),
    ("/users?role=x&status=y", "Users"),
    ("/clients/listening/export.csv?kind=x&typology=y&start=nope", "Held on"),
    ("/surveys/export.csv?audience=x&anonymity=y", "Survey"),
    ("/improvements/c1/export.csv?qualifies=x&group=abc", "Qualifies for C1"),
    ("/evidence/dashboard/export.csv?programme_id=x&process_id=-1", "Indicator"),
])
def test_a_refused_filter_value_lists_everything(app, client_as, make_process, url, shown):
    make_process(code="P1", name="Handle complaints")
    response = client_as("admin", language="en").get(url)
    assert response.status_code == 200
    assert shown in response.get_data(as_text=True)


def test_read_filters_keeps_the_valid_values_and_drops_the_refused_ones(app):
    with app.app_context(), app.test_request_context("/processes/list?q=abc&kind=key&status=x"):
        from flask import request

        form = read_filters(ProcessFilterForm(request.args))
    assert (form.q.data, form.kind.data, form.status.data) == ("abc", "key", None)


@pytest.mark.parametrize("url", ["/processes/99999999999", "/clients/99999999999", "/surveys/waves/2147483648",
                                 "/evidence/packs/compare?before=99999999999&after=99999999999"])
def test_an_id_no_table_can_hold_is_not_found(client_as, url):
    assert client_as("admin").get(url).status_code == 404


def test_the_largest_id_is_still_an_id(client_as):
    assert client_as("admin").get("/processes/2147483647").status_code == 404
