"""Running totals of the survey results: what a wave's results page, exports, evidence and computed indicators
show, kept as sums so that reading them costs O(questions²) rows whatever the number of responses.

Four tables (``surveys.models``): per wave, slice (the whole wave, or one typology or segment) and item, how
many answers have each value (``AnswerTotal``); per slice and source, how many responses (``ResponseTotal``);
per pair (numeric item, outcome item) of the wave, n, Σx, Σy, Σx², Σy² and Σxy over the responses that answered
both (``PairTotal``, the driver correlations); per free-text item, how many comments say each text, and how many
there are in all (``CommentTotal``: the comments listed are read without grouping the answers). They count
exactly the responses results may show (``surveys.releases``): not excluded, and released when the wave is
anonymous. So they change when a response becomes shown or stops being shown, in the same transaction:

- a response to a named wave is stored (``engine.submit_response``, ``engine.insert_responses``: answering,
  imports, the demo) — an anonymous wave's response counts when its batch is released (``releases.release_due``);
- a burst of responses is excluded (``networks.exclude_network``), or responses are deleted with the census
  clients who gave them (``invitations.client_dependants``).

Why explicit calls from those services rather than session events: every one of those writes is a Core bulk
``INSERT``/``UPDATE``/``DELETE`` (``db.session.execute``), which the ORM flush events never see, and decoding
statements in ``do_orm_execute`` would tie the totals to the shape of each statement. The services already know
which responses they add or take out; a call there is one visible line, and ``rebuild`` recomputes everything
from the answers (``flask surveys rebuild-totals``), which the tests compare with the running totals.

Two ways of counting, one result: rows still in memory (a response just submitted, an import's rows) are counted
with pandas before they are written, once per call (an import is one aggregate and one upsert, not one per row);
responses already stored (a batch released, an exclusion, a deletion, a rebuild) are counted by GROUP BYs in SQL.

Anonymity: the totals hold counts, sums and the comments' texts (as the results page lists them) only — no
response key, no person, no time, no order: comments that tie are listed by their digest — over groups the
responses already carry, and every page applies ``results.MIN_CUT`` to them as it did to the answers.
"""

import hashlib
from collections import defaultdict

import pandas as pd
from sqlalchemy import and_, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from core.extensions import db
from core.shared_reads import shared
from surveys.models import (
    WHOLE_WAVE,
    Answer,
    AnswerTotal,
    CommentTotal,
    ItemKind,
    ItemRole,
    PairTotal,
    Response,
    ResponseTotal,
    SurveyItem,
    Wave,
)

#: The tables of running totals.
KEPT = (AnswerTotal, ResponseTotal, PairTotal, CommentTotal)
#: The breakdown attributes a total is kept by, besides the whole wave.
DIMENSIONS = ("typology", "segment")
SLICES = (WHOLE_WAVE, *DIMENSIONS)
NUMERIC = (ItemKind.LIKERT, ItemKind.SCALE)
#: The items a driver correlation is taken against (``surveys.drivers``).
OUTCOMES = (ItemRole.REPURCHASE, ItemRole.RECOMMEND)
PAIR_SUMS = ("n", "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy")


def comment_text(text: str | None) -> str:
    """A comment as the totals compare it: trimmed of spaces, as SQL's ``trim`` does ("" for no comment)."""
    return (text or "").strip(" ")


def comment_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def group_key(name: str | None) -> str:
    """A group's key in the totals: ``""`` for no group, else ``"="`` and the name."""
    return "" if name is None else "=" + name


def group_name(key: str) -> str | None:
    return None if key == "" else key[1:]


# --- counting rows still in memory ------------------------------------------------------------------------------

def count_new(wave: Wave, responses: list[dict]) -> None:
    """Add responses about to be stored in ``wave`` (``{"id", "source", "typology", "segment", "values"}``,
    as ``engine.insert_responses`` builds them) when the wave shows them at once (a named wave); an anonymous
    wave's count when their batch is released. One aggregate in pandas, one upsert per table."""
    if wave.survey.anonymous or not responses:
        return
    frame = pd.DataFrame([{"wave_id": wave.id, "response_id": r["id"], "source": str(r["source"]),
                           "typology": r.get("typology"), "segment": r.get("segment")} for r in responses])
    answers = pd.DataFrame(
        [(r["id"], item_id, number) for r in responses for item_id, (number, _text) in r["values"].items()
         if number is not None], columns=["response_id", "item_id", "number"])
    answers = answers.merge(frame, on="response_id")
    numeric = [i.id for i in wave.survey.items if i.kind in NUMERIC]
    outcomes = [i.id for i in wave.survey.items if i.kind in NUMERIC and i.role in OUTCOMES]
    free_text = {i.id for i in wave.survey.items if i.kind == ItemKind.TEXT}
    said = [(item_id, comment_text(text)) for r in responses for item_id, (_number, text) in r["values"].items()
            if item_id in free_text and comment_text(text)]
    _add(_response_rows(frame), _answer_rows(answers), _pair_rows(wave.id, answers, numeric, outcomes),
         _comment_rows(wave.id, said))


def _comment_rows(wave_id: int, said) -> list[dict]:
    """``said`` is ``(item id, comment)`` pairs, or ``(item id, comment, how many)``: a row per different text and
    one per item with its count of comments (``digest`` "")."""
    by_text: dict = defaultdict(int)
    for item_id, text, *times in said:
        by_text[(item_id, text)] += times[0] if times else 1
    rows, per_item = [], defaultdict(int)
    for (item_id, text), count in by_text.items():
        rows.append({"wave_id": wave_id, "item_id": item_id, "digest": comment_digest(text), "text": text,
                     "count": count})
        per_item[item_id] += count
    return rows + [{"wave_id": wave_id, "item_id": item_id, "digest": "", "text": "", "count": count}
                   for item_id, count in per_item.items()]


def _keys(frame: pd.DataFrame, dimension: str) -> pd.Series:
    if dimension == WHOLE_WAVE:
        return pd.Series("", index=frame.index)
    column = frame[dimension]
    return ("=" + column.fillna("").astype(str)).where(column.notna(), "")


def _response_rows(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for dimension in SLICES:
        sizes = frame.assign(group_key=_keys(frame, dimension)).groupby(["wave_id", "group_key", "source"]).size()
        rows += [{"wave_id": int(w), "dimension": dimension, "group_key": k, "source": s, "responses": int(n)}
                 for (w, k, s), n in sizes.items()]
    return rows


def _answer_rows(answers: pd.DataFrame) -> list[dict]:
    rows = []
    for dimension in SLICES:
        counts = (answers.assign(group_key=_keys(answers, dimension))
                  .groupby(["wave_id", "group_key", "item_id", "number"]).size())
        rows += [{"wave_id": int(w), "dimension": dimension, "group_key": k, "item_id": int(i), "number": float(v),
                  "count": int(n)} for (w, k, i, v), n in counts.items()]
    return rows


def _pair_rows(wave_id: int, answers: pd.DataFrame, numeric: list[int], outcomes: list[int]) -> list[dict]:
    """Every (numeric item, outcome) pair's sums as matrix products over the responses × items pivot: with X the
    answers (0 where missing) and M whether each was given, n = MᵀM, Σx = XᵀM, Σy = MᵀX, Σxy = XᵀX, and so on."""
    if not numeric or not outcomes:
        return []
    wide = (answers[answers["item_id"].isin(numeric)]
            .pivot(index="response_id", columns="item_id", values="number").reindex(columns=numeric))
    given = wide.notna().to_numpy(dtype=float)
    values = wide.fillna(0).to_numpy(dtype=float)
    ys = [numeric.index(o) for o in outcomes]
    sums = {"n": given.T @ given[:, ys], "sum_x": values.T @ given[:, ys], "sum_y": given.T @ values[:, ys],
            "sum_xx": (values * values).T @ given[:, ys], "sum_yy": given.T @ (values * values)[:, ys],
            "sum_xy": values.T @ values[:, ys]}
    return [{"wave_id": wave_id, "x_item_id": x, "y_item_id": y,
             **{name: (int if name == "n" else float)(sums[name][i, j]) for name in PAIR_SUMS}}
            for i, x in enumerate(numeric) for j, y in enumerate(outcomes) if x != y and sums["n"][i, j]]


# --- counting responses already stored --------------------------------------------------------------------------

def count_stored(responses, *, sign: int = 1) -> None:
    """Add (``sign`` 1) or take out (−1) the stored responses that ``responses`` (a condition on ``Response``)
    selects, counted by GROUP BYs in SQL: a batch released, an exclusion, a deletion. The caller passes only
    responses whose being shown changes (e.g. the shown ones of those it deletes)."""
    _add(*_stored_rows(responses), sign=sign)


def _stored_rows(responses) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    response_rows, answer_rows = [], []
    for dimension in SLICES:
        column = getattr(Response, dimension) if dimension != WHOLE_WAVE else None
        group = [column] if column is not None else []
        found = db.session.execute(select(Response.wave_id, *group, Response.source, func.count())
                                   .where(responses).group_by(Response.wave_id, *group, Response.source))
        response_rows += [{"wave_id": row[0], "dimension": dimension, "group_key": group_key(row[1]) if group else "",
                           "source": str(row[-2]), "responses": row[-1]} for row in found]
        column = getattr(Answer, dimension) if dimension != WHOLE_WAVE else None
        group = [column] if column is not None else []
        found = db.session.execute(
            select(Answer.wave_id, *group, Answer.item_id, Answer.number, func.count())
            .join(Response, Response.id == Answer.response_id).where(responses, Answer.number.is_not(None))
            .group_by(Answer.wave_id, *group, Answer.item_id, Answer.number))
        answer_rows += [{"wave_id": row[0], "dimension": dimension, "group_key": group_key(row[1]) if group else "",
                         "item_id": row[-3], "number": float(row[-2]), "count": row[-1]} for row in found]
    return response_rows, answer_rows, _stored_pairs(responses), _stored_comments(responses)


def _stored_comments(responses) -> list[dict]:
    """The selected responses' comments, grouped by text in SQL (a row per wave, item and different text)."""
    text = func.trim(Answer.text)
    found = db.session.execute(
        select(Answer.wave_id, Answer.item_id, text, func.count())
        .join(Response, Response.id == Answer.response_id).join(SurveyItem, SurveyItem.id == Answer.item_id)
        .where(responses, SurveyItem.kind == ItemKind.TEXT, Answer.text.is_not(None), text != "")
        .group_by(Answer.wave_id, Answer.item_id, text))
    by_wave: dict = defaultdict(list)
    for wave_id, item_id, said, count in found:
        by_wave[wave_id].append((item_id, said, count))
    return [row for wave_id, said in by_wave.items() for row in _comment_rows(wave_id, said)]


def _stored_pairs(responses) -> list[dict]:
    """The pairs' sums over the selected responses: the answers joined with the same response's outcome answers."""
    x, y = aliased(Answer), aliased(Answer)
    x_item, y_item = aliased(SurveyItem), aliased(SurveyItem)
    query = (select(x.wave_id, x.item_id, y.item_id, func.count(), func.sum(x.number), func.sum(y.number),
                    func.sum(x.number * x.number), func.sum(y.number * y.number), func.sum(x.number * y.number))
             .select_from(x)
             .join(Response, Response.id == x.response_id)
             .join(y, and_(y.response_id == x.response_id, y.item_id != x.item_id))
             .join(x_item, x_item.id == x.item_id).join(y_item, y_item.id == y.item_id)
             .where(responses, x_item.kind.in_(NUMERIC), y_item.kind.in_(NUMERIC), y_item.role.in_(OUTCOMES),
                    x.number.is_not(None), y.number.is_not(None))
             .group_by(x.wave_id, x.item_id, y.item_id))
    return [{"wave_id": w, "x_item_id": xi, "y_item_id": yi, "n": n,
             **{name: float(v or 0) for name, v in zip(PAIR_SUMS[1:], rest, strict=True)}}
            for w, xi, yi, n, *rest in db.session.execute(query)]


def rebuild(shown, wave_ids=None) -> int:
    """Recompute the totals of ``wave_ids`` (every wave when None) from their answers; ``shown`` is the condition
    on ``Response`` of what results may show (``releases.shown_responses``). Returns the waves rebuilt."""
    if wave_ids is None:
        wave_ids = list(db.session.scalars(select(Wave.id)))
    wave_ids = list(wave_ids)
    for model in KEPT:
        db.session.execute(delete(model).where(model.wave_id.in_(wave_ids)))
    count_stored(and_(Response.wave_id.in_(wave_ids), shown))
    return len(wave_ids)


# --- writing ------------------------------------------------------------------------------------------------------

def _add(responses: list[dict], answers: list[dict], pairs: list[dict], comments: list[dict], *,
         sign: int = 1) -> None:
    """Upsert the deltas (sorted by key, so that parallel writers lock rows in one order) and, after taking
    out, drop what fell to zero."""
    _upsert(ResponseTotal, responses, ("responses",), sign)
    _upsert(AnswerTotal, answers, ("count",), sign)
    _upsert(PairTotal, pairs, PAIR_SUMS, sign)
    _upsert(CommentTotal, comments, ("count",), sign)
    if sign < 0:
        waves = {row["wave_id"] for row in responses}
        for model, column in ((ResponseTotal, ResponseTotal.responses), (AnswerTotal, AnswerTotal.count),
                              (PairTotal, PairTotal.n), (CommentTotal, CommentTotal.count)):
            db.session.execute(delete(model).where(model.wave_id.in_(waves), column <= 0))


def _upsert(model, rows: list[dict], sums: tuple[str, ...], sign: int) -> None:
    if not rows:
        return
    table = model.__table__
    keys = [column.name for column in table.primary_key.columns]
    rows = sorted(rows, key=lambda row: tuple(row[k] for k in keys))
    if sign < 0:
        rows = [{**row, **{name: -row[name] for name in sums}} for row in rows]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + statement.excluded[name] for name in sums})
    db.session.execute(statement, rows)


# --- reading --------------------------------------------------------------------------------------------------------

def value_counts(wave_ids, dimension: str = WHOLE_WAVE, item_ids=None) -> dict:
    """``{(wave_id, group name): {item_id: {value: count}}}`` of the waves' shown answers in one slice: one query."""
    query = (select(AnswerTotal.wave_id, AnswerTotal.group_key, AnswerTotal.item_id, AnswerTotal.number,
                    AnswerTotal.count)
             .where(AnswerTotal.wave_id.in_(list(wave_ids)), AnswerTotal.dimension == dimension, AnswerTotal.count > 0))
    if item_ids is not None:
        query = query.where(AnswerTotal.item_id.in_(item_ids))
    found: dict = defaultdict(lambda: defaultdict(dict))
    for wave_id, key, item_id, number, count in db.session.execute(query):
        found[(wave_id, group_name(key))][item_id][float(number)] = count
    return found


def response_sizes(wave_ids, dimension: str = WHOLE_WAVE) -> dict:
    """``{(wave_id, group name): {source: responses}}`` of the waves' (every wave's when None) shown responses in
    one slice: one query, once while the checklist is gathered (a wave's results and its release state both ask)."""
    return _response_sizes(None if wave_ids is None else tuple(wave_ids), dimension)


@shared
def _response_sizes(wave_ids: tuple | None, dimension: str) -> dict:
    query = (select(ResponseTotal.wave_id, ResponseTotal.group_key, ResponseTotal.source, ResponseTotal.responses)
             .where(ResponseTotal.dimension == dimension, ResponseTotal.responses > 0))
    if wave_ids is not None:
        query = query.where(ResponseTotal.wave_id.in_(list(wave_ids)))
    found: dict = defaultdict(dict)
    for wave_id, key, source, responses in db.session.execute(query):
        found[(wave_id, group_name(key))][source] = responses
    return dict(found)


def wave_sizes(wave_ids=None) -> dict[int, int]:
    """``{wave_id: shown responses}`` of the waves (of every wave when None): one query."""
    return {wave_id: sum(by_source.values()) for (wave_id, _group), by_source in response_sizes(wave_ids).items()}


def pair_sums(wave_id: int) -> dict[tuple[int, int], tuple]:
    """``{(x item id, y item id): (n, Σx, Σy, Σx², Σy², Σxy)}`` of the wave: one query."""
    rows = db.session.execute(select(PairTotal.x_item_id, PairTotal.y_item_id,
                                     *(getattr(PairTotal, name) for name in PAIR_SUMS))
                              .where(PairTotal.wave_id == wave_id, PairTotal.n > 0))
    return {(x, y): tuple(float(v) for v in rest) for x, y, *rest in rows}


def comments(wave_id: int, item_ids: list[int], limit: int) -> tuple[list[tuple[int, str, int]], int]:
    """The wave's most repeated comments on ``item_ids`` — ``(item id, text, how many)``, by item, then most
    repeated first — at most ``limit`` of them, and how many comments there are in all: two queries over the
    index, whatever the number of answers."""
    if not item_ids:
        return [], 0
    mine = and_(CommentTotal.wave_id == wave_id, CommentTotal.item_id.in_(item_ids), CommentTotal.count > 0)
    total = db.session.scalar(select(func.coalesce(func.sum(CommentTotal.count), 0))
                              .where(mine, CommentTotal.digest == ""))
    rows = db.session.execute(select(CommentTotal.item_id, CommentTotal.text, CommentTotal.count)
                              .where(mine, CommentTotal.digest != "")
                              .order_by(CommentTotal.item_id, CommentTotal.count.desc(), CommentTotal.digest.desc())
                              .limit(limit))
    return [tuple(row) for row in rows], int(total)


def snapshot(wave_ids) -> dict:
    """Every total of the waves as plain sets (for comparing running totals with a rebuild)."""
    wave_ids = list(wave_ids)
    found = {}
    for model in KEPT:
        columns = list(model.__table__.columns)
        rows = db.session.execute(select(*columns).where(model.wave_id.in_(wave_ids)))
        found[model.__tablename__] = {tuple(row) for row in rows}
    return found

