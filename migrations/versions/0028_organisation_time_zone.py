"""organisation time zone: the zone every time is shown in (stored times stay UTC)

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-03 11:20:00

Organisations stored before have none: they keep the installation's BABEL_DEFAULT_TIMEZONE, the zone used until now.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.drop_column('time_zone')
