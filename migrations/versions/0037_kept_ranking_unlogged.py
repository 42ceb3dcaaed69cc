"""the kept ranking's tables unlogged on PostgreSQL: they hold only what the census's window query gives again,
so the server need not write them to its write-ahead log (an unlogged table is emptied after a crash, and every
kept table with it, so nothing kept ever points at rows that are gone: the next page computes the ranking again)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 18:00:00

SQLite has no write-ahead log of its own for a table: nothing changes there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

TABLES = ('kept_rankings', 'kept_ranking_rows', 'kept_pareto_points', 'kept_segment_counts')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'ALTER TABLE {table} SET UNLOGGED')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'ALTER TABLE {table} SET LOGGED')
