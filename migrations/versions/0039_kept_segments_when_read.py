"""the kept ranking's segment counts are counted when first read, and stored without a primary key (a BRIN index
on the ranking on PostgreSQL): each kept ranking says whether its counts are stored yet

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 23:30:00

The kept tables hold only what the census's window query gives again: they are emptied here, and the next page
computes its ranking anew.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

KEPT = ('kept_segment_counts', 'kept_pareto_points', 'kept_ranking_rows', 'kept_rankings')


def _empty_the_kept_tables():
    for table in KEPT:
        op.execute(f'DELETE FROM {table}')


def _segment_counts(*, keyed: bool):
    columns = [sa.Column('ranking_id', sa.Integer(), nullable=False),
               sa.Column('abc', sa.String(length=1), nullable=False),
               sa.Column('joined_on', sa.Date(), nullable=False),
               sa.Column('clients', sa.Integer(), nullable=False),
               sa.Column('contribution', sa.Float(), nullable=True)]
    if keyed:
        columns.append(sa.PrimaryKeyConstraint('ranking_id', 'abc', 'joined_on', name=op.f('pk_kept_segment_counts')))
    op.create_table('kept_segment_counts', *columns)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE kept_segment_counts SET UNLOGGED')


def upgrade():
    _empty_the_kept_tables()
    op.drop_table('kept_segment_counts')
    _segment_counts(keyed=False)
    op.create_index(op.f('ix_kept_segment_counts_ranking_id'), 'kept_segment_counts', ['ranking_id'], unique=False,
                    postgresql_using='brin')
    with op.batch_alter_table('kept_rankings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segments_counted', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    _empty_the_kept_tables()
    with op.batch_alter_table('kept_rankings', schema=None) as batch_op:
        batch_op.drop_column('segments_counted')
    op.drop_index(op.f('ix_kept_segment_counts_ranking_id'), table_name='kept_segment_counts')
    op.drop_table('kept_segment_counts')
    _segment_counts(keyed=True)
