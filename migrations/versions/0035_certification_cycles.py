"""certification cycles and their findings; packs and pack jobs may belong to a cycle

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 17:50:00

Nothing existing belongs to a cycle: packs generated before cycles existed keep cycle_id empty (a pack of the
data as it stood).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certification_cycles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('set_id', sa.Integer(), nullable=False),
        sa.Column('scope_programmes', sa.Text(), nullable=True),
        sa.Column('scope_sites', sa.Text(), nullable=True),
        sa.Column('scope_exclusions', sa.Text(), nullable=True),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('visit_planned_on', sa.Date(), nullable=True),
        sa.Column('visit_held_on', sa.Date(), nullable=True),
        sa.Column('state', sa.Enum('preparing', 'under_review', 'closed', name='cyclestate', native_enum=False,
                                   length=20), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['set_id'], ['criteria_sets.id'],
                                name=op.f('fk_certification_cycles_set_id_criteria_sets')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_certification_cycles_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_cycles')),
    )
    with op.batch_alter_table('certification_cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_cycles_set_id'), ['set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_cycles_state'), ['state'], unique=False)
    op.create_table(
        'certification_cycle_reviewers',
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['cycle_id'], ['certification_cycles.id'],
                                name=op.f('fk_certification_cycle_reviewers_cycle_id_certification_cycles')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_certification_cycle_reviewers_user_id_users')),
        sa.PrimaryKeyConstraint('cycle_id', 'user_id', name=op.f('pk_certification_cycle_reviewers')),
    )
    op.create_table(
        'certification_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('major', 'minor', 'observation', 'opportunity', name='findingkind',
                                  native_enum=False, length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('record_type', sa.String(length=30), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.Enum('open', 'answered', 'closed', name='findingstate', native_enum=False,
                                   length=20), nullable=False),
        sa.Column('raised_by_id', sa.Integer(), nullable=True),
        sa.Column('raised_on', sa.Date(), nullable=False),
        sa.Column('root_cause', sa.Text(), nullable=True),
        sa.Column('response', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.Column('improvement_id', sa.Integer(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closing_comment', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['cycle_id'], ['certification_cycles.id'],
                                name=op.f('fk_certification_findings_cycle_id_certification_cycles')),
        sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'],
                                name=op.f('fk_certification_findings_criterion_id_criteria')),
        sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'],
                                name=op.f('fk_certification_findings_raised_by_id_users')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_certification_findings_answered_by_id_users')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'],
                                name=op.f('fk_certification_findings_closed_by_id_users')),
        sa.ForeignKeyConstraint(['improvement_id'], ['improvements.id'],
                                name=op.f('fk_certification_findings_improvement_id_improvements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_findings')),
        sa.UniqueConstraint('cycle_id', 'number', name=op.f('uq_certification_findings_cycle_id')),
    )
    with op.batch_alter_table('certification_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_findings_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_findings_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_findings_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_findings_improvement_id'), ['improvement_id'],
                              unique=False)
    for table in ('evidence_pack_jobs', 'evidence_pack_snapshots'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('cycle_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_cycle_id_certification_cycles'),
                                        'certification_cycles', ['cycle_id'], ['id'])
            batch_op.create_index(batch_op.f(f'ix_{table}_cycle_id'), ['cycle_id'], unique=False)


def downgrade():
    for table in ('evidence_pack_snapshots', 'evidence_pack_jobs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_cycle_id'))
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_cycle_id_certification_cycles'), type_='foreignkey')
            batch_op.drop_column('cycle_id')
    op.drop_table('certification_findings')
    op.drop_table('certification_cycle_reviewers')
    op.drop_table('certification_cycles')
