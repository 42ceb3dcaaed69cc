"""invitations sent by the task queue in batches: each batch's progress and outcome, and per invitation the
batch that last took it and why its address was refused; the weekly digest's runs

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 14:50:00

The weekly digest to coordinators keeps what each run said (``digest_runs``), so the next says what changed.

Invitations sent before have no batch: the next sending takes them as any other unused link.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_runs'))
    )
    op.create_table('survey_invitation_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('next_try_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_survey_invitation_batches_requested_by_id_users')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_invitation_batches_wave_id_survey_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation_batches'))
    )
    with op.batch_alter_table('survey_invitation_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_batches_wave_id'), ['wave_id'], unique=False)

    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('send_error', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_survey_invitations_batch_id_survey_invitation_batches'),
                                    'survey_invitation_batches', ['batch_id'], ['id'])


def downgrade():
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_invitations_batch_id_survey_invitation_batches'),
                                 type_='foreignkey')
        batch_op.drop_column('send_error')
        batch_op.drop_column('batch_id')

    with op.batch_alter_table('survey_invitation_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_batches_wave_id'))

    op.drop_table('survey_invitation_batches')
    op.drop_table('digest_runs')
