"""retired criteria: a criterion a reload of its set's file removed or changed while verdicts or evidence rested
on it is kept, marked retired, never deleted

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-03 08:35:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('criteria') as batch_op:
        batch_op.add_column(sa.Column('retired_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('criteria') as batch_op:
        batch_op.drop_column('retired_on')
