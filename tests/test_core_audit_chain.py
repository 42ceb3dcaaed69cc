"""The audit trail cannot be rewritten: the database refuses it, and the hash chain shows any rewrite that got past."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from core import audit_chain
from core.audit import AuditEntry
from core.models import Organisation
from tests import database


def add_organisation(db, name):
    db.session.add(Organisation(name=name))
    db.session.commit()


def test_each_commit_seals_its_entries_after_the_previous_ones(app, db):
    with app.app_context():
        add_organisation(db, "First")
        first_head = audit_chain.chain_head(db.session.connection())
        organisation = db.session.scalar(select(Organisation))
        organisation.name, organisation.sector = "Second", "Pensions"
        db.session.add(Organisation(name="Third"))
        db.session.commit()
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.chain_seq)).all()
        assert [e.chain_seq for e in entries] == [1, 2, 3]
        assert first_head.seq == 1 and first_head.seal == entries[0].chain_hash
        assert entries[1].chain_hash == audit_chain.seal_of(entries[0].chain_hash, entries[1])
        assert entries[0].chain_hash == audit_chain.seal_of(audit_chain.GENESIS, entries[0])
        report = audit_chain.verify(db.session)
        assert report.intact and report.checked == 3 and report.head.seq == 3


def test_entries_are_visible_in_their_transaction_and_sealed_only_when_it_commits(app, db):
    with app.app_context():
        db.session.add(Organisation(name="Pending"))
        db.session.flush()
        assert db.session.scalar(select(AuditEntry.chain_seq)) is None  # written, not yet sealed
        db.session.commit()
        assert db.session.scalar(select(AuditEntry.chain_seq)) == 1
        db.session.add(Organisation(name="Rolled back"))
        db.session.flush()
        db.session.rollback()
        assert audit_chain.verify(db.session).intact


def refused(db, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_to_update_or_delete_an_entry(app, db):
    with app.app_context():
        add_organisation(db, "Kept")
        refused(db, "UPDATE audit_entries SET entity_label = 'rewritten'")
        refused(db, "UPDATE audit_entries SET chain_hash = NULL")  # not even unsealing it to seal it again
        refused(db, "DELETE FROM audit_entries")
        if db.engine.dialect.name == "postgresql":
            refused(db, "TRUNCATE audit_entries CASCADE")
        assert db.session.scalar(select(AuditEntry.entity_label)) == "Kept"


def rewrite_as_a_dba(db, entry_id, label):
    """What a database administrator could do behind the app's back: rewrite an entry past the trigger."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))  # triggers off, this transaction
        db.session.execute(text("UPDATE audit_entries SET entity_label = :label WHERE id = :id"),
                           {"label": label, "id": entry_id})
    else:
        trigger = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'audit_entries_no_update'"))
        db.session.execute(text("DROP TRIGGER audit_entries_no_update"))
        db.session.execute(text("UPDATE audit_entries SET entity_label = :label WHERE id = :id"),
                           {"label": label, "id": entry_id})
        db.session.execute(text(trigger))
    db.session.commit()


def test_flask_audit_verify_reports_the_first_rewritten_entry(app, db, runner):
    with app.app_context():
        for name in ("One", "Two", "Three"):
            add_organisation(db, name)
        head = str(audit_chain.chain_head(db.session.connection()))
        second = db.session.scalar(select(AuditEntry.id).where(AuditEntry.chain_seq == 2))
    intact = runner.invoke(args=["audit", "verify", "--head", head])
    assert intact.exit_code == 0 and "Checked 3 audit entries: the chain is intact." in intact.output
    with app.app_context():
        rewrite_as_a_dba(db, second, "Rewritten")
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at audit entry {second} (chain position 2" in broken.output
    assert "1 entries before it are intact" in broken.output


def test_a_head_dropped_from_the_end_of_the_chain_is_reported(app, db, runner):
    with app.app_context():
        add_organisation(db, "Only")
    missing = runner.invoke(args=["audit", "verify", "--head", "7:" + "a" * 64])
    assert missing.exit_code == 1 and "is no longer in the chain" in missing.output


def test_erasing_everything_is_the_only_way_to_empty_the_trail(app, db):
    with app.app_context():
        add_organisation(db, "Before the reset")
        database.empty_all_tables(db)
        assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
        refused_after = "DELETE FROM audit_entries"
        add_organisation(db, "After the reset")
        refused(db, refused_after)  # the permission ended with the erasure
        assert audit_chain.verify(db.session).intact


def test_the_demo_reset_erases_and_reloads_a_sealed_trail(app, db, runner, monkeypatch):
    import demo

    monkeypatch.setattr(demo, "LOADERS", ())  # the accounts and the organisation are enough here
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["demo", "--reset", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 1
        report = audit_chain.verify(db.session)
        assert report.intact and report.head.seq == db.session.scalar(select(func.count(AuditEntry.id)))


@pytest.mark.skipif(database.backend() != "postgresql", reason="SQLite lets one transaction write at a time")
def test_two_writers_interleaved_do_not_fork_the_chain(app, db, database_url, app_factory):
    other = app_factory(database_url)
    with app.app_context():
        db.session.add(Organisation(name="Written first, committed last"))
        db.session.flush()  # its entry has the lower id, and no seal yet
        with other.app_context():
            add_organisation(db, "Written second, committed first")
        db.session.commit()
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.chain_seq for e in entries] == [2, 1]  # the chain follows the commits, not the ids
        assert audit_chain.verify(db.session).intact
