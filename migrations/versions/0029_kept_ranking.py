"""the kept ranking: each client's rank, cumulative share and ABC class per census version, year, population,
basis and thresholds, with its Pareto curve pre-aggregated; and an index finding the newest sealed audit entry
of a kind of record in one seek (the census's version)

Revision ID: 0029
Revises: 0030
Create Date: 2026-12-03 14:50:00

Nothing is filled in: the first page that reads a ranking computes it (``loyalty.kept_ranking``).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_rankings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('census_seq', sa.Integer(), nullable=False),
    sa.Column('census_seal', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('population', sa.String(length=10), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('class_a_share', sa.Float(), nullable=False),
    sa.Column('class_b_share', sa.Float(), nullable=False),
    sa.Column('clients', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_rankings')),
    sa.UniqueConstraint('census_seq', 'census_seal', 'year', 'population', 'basis', 'class_a_share',
                        'class_b_share', name='uq_kept_rankings_key')
    )
    op.create_table('kept_ranking_rows',
    sa.Column('ranking_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('contribution', sa.Float(), nullable=False),
    sa.Column('cumulative', sa.Float(), nullable=True),
    sa.Column('cumulative_share', sa.Float(), nullable=True),
    sa.Column('abc', sa.String(length=1), nullable=False),
    sa.Column('potential', sa.Float(), nullable=True),
    sa.Column('purchases', sa.Float(), nullable=True),
    sa.Column('margin', sa.Float(), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('ranking_id', 'rank', name=op.f('pk_kept_ranking_rows')),
    sqlite_with_rowid=False
    )
    op.create_table('kept_segment_counts',
    sa.Column('ranking_id', sa.Integer(), nullable=False),
    sa.Column('abc', sa.String(length=1), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('clients', sa.Integer(), nullable=False),
    sa.Column('contribution', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('ranking_id', 'abc', 'joined_on', name=op.f('pk_kept_segment_counts'))
    )

    op.create_table('kept_pareto_points',
    sa.Column('ranking_id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('abc', sa.String(length=1), nullable=False),
    sa.Column('last_rank', sa.Integer(), nullable=False),
    sa.Column('cumulative_share', sa.Float(), nullable=True),
    sa.Column('clients', sa.Integer(), nullable=False),
    sa.Column('contribution', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('ranking_id', 'bucket', 'abc', name=op.f('pk_kept_pareto_points'))
    )
    # Directly, not in a batch: the trail's table keeps its triggers (migration 0017), never rebuilt.
    op.create_index('ix_audit_entries_entity_type_chain_seq', 'audit_entries', ['entity_type', 'chain_seq'])


def downgrade():
    op.drop_index('ix_audit_entries_entity_type_chain_seq', table_name='audit_entries')
    op.drop_table('kept_pareto_points')
    op.drop_table('kept_segment_counts')
    op.drop_table('kept_ranking_rows')
    op.drop_table('kept_rankings')
