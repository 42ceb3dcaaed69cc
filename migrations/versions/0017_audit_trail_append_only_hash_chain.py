"""audit trail: append-only (triggers refusing updates and deletes) and sealed into a SHA-256 hash chain;
evidence packs record the chain head at their "data as at"

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 10:00:00

The entries already written are sealed here, oldest first, with the same function the app seals with at
every commit (``core.audit_chain.seal_pending``), so ``flask audit verify`` checks them like any other.
The triggers allow one update of an entry: its sealing (both chain columns set from empty, nothing else
changed). Erasing the whole trail with everything else (``flask demo --reset``) goes through
``core.audit_chain.erasing_everything``: TRUNCATE under a transaction-local setting on PostgreSQL, DELETE
while a temporary table exists on SQLite.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

#: The columns an entry is written with; sealing may not change any of them.
CONTENT = ("id", "created_at", "actor_id", "action", "entity_type", "entity_id", "entity_label", "version")

POSTGRESQL_FUNCTION = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('fideliza.audit_erasure', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.chain_hash IS NULL
       AND NEW.chain_seq IS NOT NULL AND NEW.chain_hash IS NOT NULL
       AND ({new}, NEW.changes::text) IS NOT DISTINCT FROM ({old}, OLD.changes::text) THEN
        RETURN NEW;  -- sealing a new entry, once
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % of audit_entries refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
""".format(new=", ".join(f"NEW.{c}" for c in CONTENT), old=", ".join(f"OLD.{c}" for c in CONTENT))

SQLITE_NO_UPDATE = """
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
WHEN OLD.chain_seq IS NOT NULL OR OLD.chain_hash IS NOT NULL OR NEW.chain_seq IS NULL OR NEW.chain_hash IS NULL
     OR {changed} OR NEW.changes IS NOT OLD.changes
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE of audit_entries refused');
END
""".format(changed=" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT))

SQLITE_NO_DELETE = """
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN NOT EXISTS (SELECT 1 FROM pragma_table_list WHERE schema = 'temp' AND name = 'audit_erasure')
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE of audit_entries refused');
END
"""


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_chain_seq'), ['chain_seq'])

    with op.batch_alter_table('evidence_pack_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_head', sa.String(length=80), nullable=True))

    from core.audit_chain import seal_pending

    seal_pending(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute("CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()")
        op.execute("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()")
    else:
        op.execute(SQLITE_NO_UPDATE)
        op.execute(SQLITE_NO_DELETE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entries_no_delete")
        op.execute("DROP TRIGGER audit_entries_no_update")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_chain_seq'), type_='unique')
        batch_op.drop_column('chain_hash')
        batch_op.drop_column('chain_seq')
    with op.batch_alter_table('evidence_pack_snapshots', schema=None) as batch_op:
        batch_op.drop_column('audit_head')
