"""survey running totals: per wave, slice (whole wave, typology, segment) and item the count of each value; per
slice and source the responses; per (numeric item, outcome) pair the sums of Pearson's r (surveys.totals)

Revision ID: 0030
Revises: 0033
Create Date: 2026-12-03 14:50:00

The totals of the answers stored before are computed here from them, counting what results show (not excluded,
and released when the wave is anonymous), as ``flask surveys rebuild-totals`` does.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0033'
branch_labels = None
depends_on = None

SHOWN = ("JOIN survey_waves w ON w.id = r.wave_id JOIN surveys s ON s.id = w.survey_id "
         "WHERE r.exclusion_id IS NULL AND (r.batch IS NOT NULL OR s.anonymous = :no)")


def _key(column):
    return f"CASE WHEN {column} IS NULL THEN '' ELSE '=' || {column} END" if column else "''"


def _backfill():
    for dimension in ('wave', 'typology', 'segment'):
        column = None if dimension == 'wave' else dimension
        group = f", r.{column}" if column else ""
        op.execute(sa.text(
            "INSERT INTO survey_response_totals (wave_id, dimension, group_key, source, responses) "
            f"SELECT r.wave_id, '{dimension}', {_key(f'r.{column}' if column else None)}, r.source, count(*) "
            f"FROM survey_responses r {SHOWN} GROUP BY r.wave_id{group}, r.source").bindparams(no=False))
        group = f", a.{column}" if column else ""
        op.execute(sa.text(
            "INSERT INTO survey_answer_totals (wave_id, dimension, group_key, item_id, number, count) "
            f"SELECT a.wave_id, '{dimension}', {_key(f'a.{column}' if column else None)}, a.item_id, a.number, "
            f"count(*) FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id {SHOWN} "
            f"AND a.number IS NOT NULL GROUP BY a.wave_id{group}, a.item_id, a.number").bindparams(no=False))
    op.execute(sa.text(
        "INSERT INTO survey_pair_totals (wave_id, x_item_id, y_item_id, n, sum_x, sum_y, sum_xx, sum_yy, sum_xy) "
        "SELECT x.wave_id, x.item_id, y.item_id, count(*), sum(x.number), sum(y.number), sum(x.number * x.number), "
        "sum(y.number * y.number), sum(x.number * y.number) "
        "FROM survey_answers x JOIN survey_answers y ON y.response_id = x.response_id AND y.item_id <> x.item_id "
        "JOIN survey_items xi ON xi.id = x.item_id JOIN survey_items yi ON yi.id = y.item_id "
        "JOIN survey_responses r ON r.id = x.response_id "
        f"{SHOWN} AND xi.kind IN ('likert', 'scale') AND yi.kind IN ('likert', 'scale') "
        "AND yi.role IN ('repurchase', 'recommend') AND x.number IS NOT NULL AND y.number IS NOT NULL "
        "GROUP BY x.wave_id, x.item_id, y.item_id").bindparams(no=False))


def upgrade():
    op.create_table('survey_answer_totals',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('group_key', sa.String(length=121), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['survey_items.id'], name=op.f('fk_survey_answer_totals_item_id_survey_items')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_answer_totals_wave_id_survey_waves')),
    sa.PrimaryKeyConstraint('wave_id', 'dimension', 'group_key', 'item_id', 'number',
                            name=op.f('pk_survey_answer_totals'))
    )
    op.create_table('survey_pair_totals',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('x_item_id', sa.Integer(), nullable=False),
    sa.Column('y_item_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sum_x', sa.Float(), nullable=False),
    sa.Column('sum_y', sa.Float(), nullable=False),
    sa.Column('sum_xx', sa.Float(), nullable=False),
    sa.Column('sum_yy', sa.Float(), nullable=False),
    sa.Column('sum_xy', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_pair_totals_wave_id_survey_waves')),
    sa.ForeignKeyConstraint(['x_item_id'], ['survey_items.id'],
                            name=op.f('fk_survey_pair_totals_x_item_id_survey_items')),
    sa.ForeignKeyConstraint(['y_item_id'], ['survey_items.id'],
                            name=op.f('fk_survey_pair_totals_y_item_id_survey_items')),
    sa.PrimaryKeyConstraint('wave_id', 'x_item_id', 'y_item_id', name=op.f('pk_survey_pair_totals'))
    )
    op.create_table('survey_response_totals',
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('group_key', sa.String(length=121), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'],
                            name=op.f('fk_survey_response_totals_wave_id_survey_waves')),
    sa.PrimaryKeyConstraint('wave_id', 'dimension', 'group_key', 'source', name=op.f('pk_survey_response_totals'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index('ix_survey_responses_wave_batch', ['wave_id', 'batch', 'exclusion_id'], unique=False)
    _backfill()


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_wave_batch')
    op.drop_table('survey_response_totals')
    op.drop_table('survey_pair_totals')
    op.drop_table('survey_answer_totals')
