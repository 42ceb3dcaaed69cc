"""What the client census gives the other packages through ``core.signals``: B2's automatic evidence, the
lists its import matches values to (exit reasons, typologies), the clients to the global search, and its exit,
retention and new-client figures as the sources of computed indicators."""

from flask_babel import lazy_gettext as _l

from core import signals
from core.search import Provider, record_url
from loyalty import census_import, evidence, indicator_sources
from loyalty.models import Client


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B2": evidence.census_evidence}


@signals.import_vocabularies.connect
def _import_vocabularies(sender, **kwargs):
    return census_import.vocabularies()


@signals.search_providers.connect
def _search_providers(sender, **kwargs):
    """Census clients by code and name (the segment as their second line)."""
    return [Provider("client", _l("Clients"), "loyalty.client_detail", Client, (Client.code, Client.name),
                     Client.code + " · " + Client.name, record_url("loyalty.client_detail", "client_id"),
                     detail=Client.segment, order=30)]


@signals.indicator_sources.connect
def _indicator_sources(sender, **kwargs):
    return indicator_sources.sources()
