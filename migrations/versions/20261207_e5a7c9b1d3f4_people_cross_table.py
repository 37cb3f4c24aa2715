"""people assisted as one cross table: grant_report_people (form of exploitation x sex x age,
new and continuing); the separate sex x age and exploitation figures are converted into it

Old reports keep their people: each report's sex x age counts become new people in the cross
table. When the report's two old tables agreed and one of them had a single non-empty line
(one form of exploitation, or one sex x age group), the cells are exact; otherwise the sex x age
counts go into the "not_recorded" form of exploitation and the old exploitation split, which
cannot be placed without inventing it, is not kept (docs/decisions/0111). The downgrade writes
the two old tables back from the cross table (new and continuing together, as the old "people
assisted in the period").

Revision ID: e5a7c9b1d3f4
Revises: 455c82350a13
Create Date: 2026-12-07 05:20:00.000000

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a7c9b1d3f4'
down_revision = '455c82350a13'
branch_labels = None
depends_on = None

NOT_RECORDED = 'not_recorded'

figures = sa.table(
    'grant_report_figures',
    sa.column('report_id', sa.Integer),
    sa.column('dimension', sa.String),
    sa.column('code', sa.String),
    sa.column('count', sa.Integer),
)
people = sa.table(
    'grant_report_people',
    sa.column('report_id', sa.Integer),
    sa.column('exploitation', sa.String),
    sa.column('sex', sa.String),
    sa.column('age', sa.String),
    sa.column('new_people', sa.Integer),
    sa.column('continuing_people', sa.Integer),
)


def _cells(sex_age, exploitation):
    """The cross table of one old report: {(form, sex, age): new}."""
    sex_age = {code: n for code, n in sex_age.items() if n}
    exploitation = {code: n for code, n in exploitation.items() if n}
    total = sum(sex_age.values())
    cells = {}
    if total and sum(exploitation.values()) == total and len(exploitation) == 1:
        (form,) = exploitation
        for code, n in sex_age.items():
            cells[(form, *code.split('.', 1))] = n
    elif total and sum(exploitation.values()) == total and len(sex_age) == 1:
        (code,) = sex_age
        for form, n in exploitation.items():
            cells[(form, *code.split('.', 1))] = n
    else:
        for code, n in sex_age.items():
            cells[(NOT_RECORDED, *code.split('.', 1))] = n
    return cells


def upgrade():
    op.create_table('grant_report_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('exploitation', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', 'other_or_unknown', name='report_people_sex', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('age', sa.Enum('adult', 'child', name='report_people_age', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('new_people', sa.Integer(), nullable=False),
    sa.Column('continuing_people', sa.Integer(), nullable=False),
    sa.CheckConstraint('new_people >= 0', name=op.f('ck_grant_report_people_new_not_negative')),
    sa.CheckConstraint('continuing_people >= 0', name=op.f('ck_grant_report_people_continuing_not_negative')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_people_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_people')),
    sa.UniqueConstraint('report_id', 'exploitation', 'sex', 'age', name=op.f('uq_grant_report_people_report_id'))
    )
    with op.batch_alter_table('grant_report_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_people_report_id'), ['report_id'], unique=False)

    conn = op.get_bind()
    old = defaultdict(lambda: {'sex_age': {}, 'exploitation': {}})
    rows = conn.execute(
        sa.select(figures.c.report_id, figures.c.dimension, figures.c.code, figures.c.count)
        .where(figures.c.dimension.in_(['sex_age', 'exploitation']))
    )
    for report_id, dimension, code, count in rows:
        old[report_id][dimension][code] = count
    new_rows = [
        {'report_id': report_id, 'exploitation': form, 'sex': sex, 'age': age,
         'new_people': n, 'continuing_people': 0}
        for report_id, tables in sorted(old.items())
        for (form, sex, age), n in sorted(_cells(tables['sex_age'], tables['exploitation']).items())
    ]
    if new_rows:
        conn.execute(people.insert(), new_rows)
    conn.execute(figures.delete().where(figures.c.dimension.in_(['sex_age', 'exploitation'])))


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(people.c.report_id, people.c.exploitation, people.c.sex, people.c.age,
                  people.c.new_people, people.c.continuing_people)
    )
    sex_age = defaultdict(int)
    exploitation = defaultdict(int)
    for report_id, form, sex, age, new, continuing in rows:
        sex_age[(report_id, f'{sex}.{age}')] += new + continuing
        if form != NOT_RECORDED:
            exploitation[(report_id, form)] += new + continuing
    old_rows = [
        {'report_id': r, 'dimension': 'sex_age', 'code': code, 'count': n}
        for (r, code), n in sorted(sex_age.items()) if n
    ] + [
        {'report_id': r, 'dimension': 'exploitation', 'code': code, 'count': n}
        for (r, code), n in sorted(exploitation.items()) if n
    ]
    if old_rows:
        conn.execute(figures.insert(), old_rows)
    with op.batch_alter_table('grant_report_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_report_people_report_id'))
    op.drop_table('grant_report_people')
