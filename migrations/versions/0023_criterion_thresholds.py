"""criterion thresholds: the numbers a criterion's rule compares against, stated by its criteria set

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:40:00

Criteria stored before have none: their rules keep the defaults, which are the values used until now.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('criteria') as batch_op:
        batch_op.add_column(sa.Column('thresholds', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('criteria') as batch_op:
        batch_op.drop_column('thresholds')
