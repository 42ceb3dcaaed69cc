"""stated dates: the day a SMART check was made and an approval given, as the user states it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 08:20:00

The days already stored are the days the check and the approval were recorded, which is the best there is.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _day_of(column: str) -> str:
    # SQLite's CAST(... AS DATE) gives a number; date() gives the ISO day SQLAlchemy's Date reads back.
    return f"date({column})" if op.get_bind().dialect.name == "sqlite" else f"CAST({column} AS DATE)"


def upgrade():
    with op.batch_alter_table('improvement_smart_checks') as batch_op:
        batch_op.add_column(sa.Column('checked_on', sa.Date(), nullable=True))
    op.execute(f"UPDATE improvement_smart_checks SET checked_on = {_day_of('checked_at')}")
    with op.batch_alter_table('improvement_smart_checks') as batch_op:
        batch_op.alter_column('checked_on', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('improvements') as batch_op:
        batch_op.add_column(sa.Column('approved_on', sa.Date(), nullable=True))
    op.execute(f"UPDATE improvements SET approved_on = {_day_of('approved_at')} WHERE approved_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('improvements') as batch_op:
        batch_op.drop_column('approved_on')
    with op.batch_alter_table('improvement_smart_checks') as batch_op:
        batch_op.drop_column('checked_on')
