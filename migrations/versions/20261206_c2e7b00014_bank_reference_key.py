"""donations: a bank receipt's reference key keeps only letters and digits, so the same transfer
written another way ("PROBE-RCPT-1", "probe rcpt 1") is caught; receipts already stored are
keyed again, and copies among them are kept but set apart instead of stopping the upgrade

Revision ID: c2e7b00014
Revises: c1d6a00013
Create Date: 2026-12-06 20:30:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2e7b00014'
down_revision = 'c1d6a00013'
branch_labels = None
depends_on = None

_KEY_LENGTH = 100

_receipts = sa.table(
    'bank_receipts',
    sa.column('id', sa.Integer()),
    sa.column('bank_reference', sa.String()),
    sa.column('reference_key', sa.String()),
)


# The rules of app/donations/services.py reference_key, frozen: the new one and the one
# it replaces.
def _letters_and_digits(reference):
    text = unicodedata.normalize('NFKC', reference).upper()
    return ''.join(char for char in text if char.isalnum())


def _without_spaces(reference):
    return re.sub(r'\s+', '', reference).upper()


def _rekey(rule):
    """Every receipt keyed by ``rule``, oldest first. A later receipt whose key is taken keeps
    its row (money was recorded: finance decides what it is) under the key plus ``~`` and its
    id, which no typed reference can produce, so the unique index holds."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_receipts.c.id, _receipts.c.bank_reference).order_by(_receipts.c.id)
    ).all()
    keys = {}
    taken = set()
    for receipt_id, reference in rows:
        key = rule(reference or '')[:_KEY_LENGTH]
        if key in taken or not key:
            suffix = f'~{receipt_id}'
            key = key[: _KEY_LENGTH - len(suffix)] + suffix
        taken.add(key)
        keys[receipt_id] = key
    # Two passes: a key may move to a row that holds another row's old key.
    for receipt_id in keys:
        bind.execute(
            _receipts.update()
            .where(_receipts.c.id == receipt_id)
            .values(reference_key=f'~moving~{receipt_id}')
        )
    for receipt_id, key in keys.items():
        bind.execute(
            _receipts.update().where(_receipts.c.id == receipt_id).values(reference_key=key)
        )


def upgrade():
    _rekey(_letters_and_digits)


def downgrade():
    _rekey(_without_spaces)
