"""levels of client needs and the service cycle: a requirement's and a survey item's level of need (basic,
expected, desired, unanticipated), and each programme's ordered moments of contact with their processes and
quality indicators

Revision ID: 0025
Revises: 0027
Create Date: 2026-12-03 11:10:06

Records stored before have no level (shown as "not stated") and programmes no service cycle yet. Staff focus
groups are a new kind of listening activity, stored in the existing plain string column (no change).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_moments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_service_moments_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_moments'))
    )
    with op.batch_alter_table('service_moments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_moments_programme_id'), ['programme_id'], unique=False)

    op.create_table('service_moment_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moment_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['moment_id'], ['service_moments.id'], name=op.f('fk_service_moment_processes_moment_id_service_moments')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_service_moment_processes_process_id_processes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_moment_processes')),
    sa.UniqueConstraint('moment_id', 'process_id', name=op.f('uq_service_moment_processes_moment_id'))
    )
    with op.batch_alter_table('service_moment_processes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_moment_processes_moment_id'), ['moment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_moment_processes_process_id'), ['process_id'], unique=False)

    op.create_table('service_moment_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moment_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_service_moment_indicators_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['moment_id'], ['service_moments.id'], name=op.f('fk_service_moment_indicators_moment_id_service_moments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_moment_indicators')),
    sa.UniqueConstraint('moment_id', 'indicator_id', name=op.f('uq_service_moment_indicators_moment_id'))
    )
    with op.batch_alter_table('service_moment_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_moment_indicators_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_moment_indicators_moment_id'), ['moment_id'], unique=False)

    with op.batch_alter_table('client_requirements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('need_level', sa.Enum('basic', 'expected', 'desired', 'unanticipated', name='needlevel', native_enum=False, length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_client_requirements_need_level'), ['need_level'], unique=False)

    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('need_level', sa.Enum('basic', 'expected', 'desired', 'unanticipated', name='needlevel', native_enum=False, length=20), nullable=True))



def downgrade():
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.drop_column('need_level')

    with op.batch_alter_table('client_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_requirements_need_level'))
        batch_op.drop_column('need_level')

    with op.batch_alter_table('service_moment_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_moment_indicators_moment_id'))
        batch_op.drop_index(batch_op.f('ix_service_moment_indicators_indicator_id'))

    op.drop_table('service_moment_indicators')
    with op.batch_alter_table('service_moment_processes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_moment_processes_process_id'))
        batch_op.drop_index(batch_op.f('ix_service_moment_processes_moment_id'))

    op.drop_table('service_moment_processes')
    with op.batch_alter_table('service_moments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_moments_programme_id'))

    op.drop_table('service_moments')
