"""computed indicators: an indicator may be computed from the app's own figures, its measurements marked so

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 11:10:00

Indicators stored before are typed by hand (no computed source), and so are their measurements.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicators') as batch_op:
        batch_op.add_column(sa.Column('computed_source', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('source_parameter', sa.Integer(), nullable=True))
    with op.batch_alter_table('measurements') as batch_op:
        batch_op.add_column(sa.Column('computed', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('measurements') as batch_op:
        batch_op.drop_column('computed')
    with op.batch_alter_table('indicators') as batch_op:
        batch_op.drop_column('source_parameter')
        batch_op.drop_column('computed_source')
