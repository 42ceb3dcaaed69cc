"""evidence pack jobs on the task queue: how many times a job's pack was started (the first attempt and at most
one retry after its worker stopped or it failed)

Revision ID: 0031
Revises: 0025
Create Date: 2026-12-03 14:50:00

Jobs stored before count as started once when they have left the queue (running, done or failed).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_pack_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE evidence_pack_jobs SET attempts = 1 WHERE state <> 'queued'")


def downgrade():
    with op.batch_alter_table('evidence_pack_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
