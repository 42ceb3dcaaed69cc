"""survey comments from running totals: per wave, free-text item and different text how many comments say it,
and per item how many there are in all

Revision ID: 0034
Revises: 0029
Create Date: 2026-12-03 16:00:00

Filled from the shown answers already stored (not excluded; released when the wave is anonymous), grouped by
their text trimmed of spaces, as the results page grouped them.
"""
import hashlib
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0029'
branch_labels = None
depends_on = None

SHOWN = ("JOIN survey_waves w ON w.id = r.wave_id JOIN surveys s ON s.id = w.survey_id "
         "WHERE r.exclusion_id IS NULL AND (r.batch IS NOT NULL OR s.anonymous = :no)")


def upgrade():
    totals = op.create_table('survey_comment_totals',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['survey_items.id'],
                            name=op.f('fk_survey_comment_totals_item_id_survey_items')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'],
                            name=op.f('fk_survey_comment_totals_wave_id_survey_waves')),
    sa.PrimaryKeyConstraint('wave_id', 'item_id', 'digest', name=op.f('pk_survey_comment_totals'))
    )
    op.create_index('ix_survey_comment_totals_listing', 'survey_comment_totals',
                    ['wave_id', 'item_id', 'count', 'digest'], unique=False)
    found = op.get_bind().execute(sa.text(
        "SELECT a.wave_id, a.item_id, trim(a.text), count(*) FROM survey_answers a "
        "JOIN survey_items i ON i.id = a.item_id JOIN survey_responses r ON r.id = a.response_id "
        f"{SHOWN} AND i.kind = 'text' AND a.text IS NOT NULL AND trim(a.text) <> '' "
        "GROUP BY a.wave_id, a.item_id, trim(a.text)").bindparams(no=False))
    rows, per_item = [], defaultdict(int)
    for wave_id, item_id, text, count in found:
        rows.append({"wave_id": wave_id, "item_id": item_id, "digest": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                     "text": text, "count": count})
        per_item[(wave_id, item_id)] += count
    rows += [{"wave_id": wave_id, "item_id": item_id, "digest": "", "text": "", "count": count}
             for (wave_id, item_id), count in per_item.items()]
    if rows:
        op.bulk_insert(totals, rows)


def downgrade():
    op.drop_index('ix_survey_comment_totals_listing', table_name='survey_comment_totals')
    op.drop_table('survey_comment_totals')
