"""Finding posted transfers: one by id, or every transfer of a business document."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.ledger.models import Transfer
from app.platform.extensions import db


def find_transfer(transfer_id_: uuid.UUID) -> Transfer | None:
    """The transfer with this id, with its accounts loaded, or None."""
    return db.session.get(
        Transfer,
        transfer_id_,
        options=[joinedload(Transfer.debit_account), joinedload(Transfer.credit_account)],
    )


def transfers_for_document(*, document_type: str, document_id: object) -> list[Transfer]:
    """Every transfer recorded for a business document, in posting order."""
    return list(
        db.session.execute(
            sa.select(Transfer)
            .where(
                Transfer.document_type == document_type,
                Transfer.document_id == str(document_id),
            )
            .order_by(Transfer.sequence)
        ).scalars()
    )
