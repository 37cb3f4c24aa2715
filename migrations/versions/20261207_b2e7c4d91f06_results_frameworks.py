"""results frameworks: the fund's standard indicators (seeded, SDG 5.2 / 8.7 / 16.2), a
proposal's outcomes, outputs, indicators and yearly targets, and each report's actuals
(decision 0112)

Revision ID: b2e7c4d91f06
Revises: e5a7c9b1d3f4
Create Date: 2026-12-07 05:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2e7c4d91f06'
down_revision = 'e5a7c9b1d3f4'
branch_labels = None
depends_on = None

UNITS = ('people', 'number', 'percent')
SDG_TARGETS = ('5.2', '8.7', '16.2')

# The fund's first list (code, unit, SDG target, names by language); the fund manager edits
# it on /results/indicators.
SEED = [
    ('VA-SHELTER', 'people', '5.2', {
        'en': 'Victims of trafficking given safe shelter or housing',
        'fr': 'Victimes de la traite hébergées en lieu sûr',
        'es': 'Víctimas de la trata que recibieron alojamiento seguro',
        'ar': 'ضحايا الاتجار الذين حصلوا على مأوى أو سكن آمن',
        'zh': '获得安全庇护或住房的贩运受害者',
        'ru': 'Жертвы торговли людьми, получившие безопасное убежище или жильё',
    }),
    ('VA-MEDICAL', 'people', '5.2', {
        'en': 'Victims of trafficking given medical care',
        'fr': 'Victimes de la traite ayant reçu des soins médicaux',
        'es': 'Víctimas de la trata que recibieron atención médica',
        'ar': 'ضحايا الاتجار الذين تلقوا رعاية طبية',
        'zh': '获得医疗护理的贩运受害者',
        'ru': 'Жертвы торговли людьми, получившие медицинскую помощь',
    }),
    ('VA-PSYCHO', 'people', '5.2', {
        'en': 'Victims of trafficking given psychosocial support',
        'fr': 'Victimes de la traite ayant reçu un soutien psychosocial',
        'es': 'Víctimas de la trata que recibieron apoyo psicosocial',
        'ar': 'ضحايا الاتجار الذين تلقوا دعماً نفسياً واجتماعياً',
        'zh': '获得心理社会支持的贩运受害者',
        'ru': 'Жертвы торговли людьми, получившие психосоциальную поддержку',
    }),
    ('VA-LEGAL', 'people', '8.7', {
        'en': 'Victims of trafficking given legal aid',
        'fr': 'Victimes de la traite ayant bénéficié d’une aide juridique',
        'es': 'Víctimas de la trata que recibieron asistencia jurídica',
        'ar': 'ضحايا الاتجار الذين حصلوا على مساعدة قانونية',
        'zh': '获得法律援助的贩运受害者',
        'ru': 'Жертвы торговли людьми, получившие юридическую помощь',
    }),
    ('VA-REINTEGRATED', 'people', '8.7', {
        'en': 'Victims of trafficking safely returned or reintegrated',
        'fr': 'Victimes de la traite rapatriées ou réintégrées en sécurité',
        'es': 'Víctimas de la trata retornadas o reintegradas con seguridad',
        'ar': 'ضحايا الاتجار الذين أُعيدوا أو أُعيد إدماجهم بأمان',
        'zh': '安全返回或重新融入社会的贩运受害者',
        'ru': 'Жертвы торговли людьми, безопасно возвращённые или реинтегрированные',
    }),
    ('CH-ASSISTED', 'people', '16.2', {
        'en': 'Child victims of trafficking assisted',
        'fr': 'Enfants victimes de la traite assistés',
        'es': 'Niños y niñas víctimas de la trata asistidos',
        'ar': 'الأطفال ضحايا الاتجار الذين تلقوا المساعدة',
        'zh': '获得援助的儿童贩运受害者',
        'ru': 'Дети — жертвы торговли людьми, получившие помощь',
    }),
    ('FW-TRAINED', 'people', '8.7', {
        'en': 'Front-line workers trained to identify and assist victims',
        'fr': 'Intervenants de première ligne formés à identifier et assister les victimes',
        'es': 'Personal de primera línea capacitado para identificar y asistir a víctimas',
        'ar': 'العاملون في الخطوط الأمامية المدربون على تحديد الضحايا ومساعدتهم',
        'zh': '接受识别和援助受害者培训的一线工作人员',
        'ru': 'Сотрудники передовой линии, обученные выявлять жертв и помогать им',
    }),
    ('CASES-REFERRED', 'number', '16.2', {
        'en': 'Cases referred to law enforcement',
        'fr': 'Affaires signalées aux services de répression',
        'es': 'Casos remitidos a las fuerzas del orden',
        'ar': 'القضايا المحالة إلى جهات إنفاذ القانون',
        'zh': '移交执法部门的案件',
        'ru': 'Дела, переданные в правоохранительные органы',
    }),
]


def upgrade():
    standard = op.create_table('results_standard_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('unit', sa.Enum(*UNITS, name='indicator_unit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sdg_target', sa.Enum(*SDG_TARGETS, name='indicator_sdg_target', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_standard_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_results_standard_indicators_code'))
    )
    op.create_table('results_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_results_outcomes_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_outcomes'))
    )
    with op.batch_alter_table('results_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_outcomes_application_id'), ['application_id'], unique=False)

    op.create_table('results_outputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['results_outcomes.id'], name=op.f('fk_results_outputs_outcome_id_results_outcomes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_outputs'))
    )
    with op.batch_alter_table('results_outputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_outputs_outcome_id'), ['outcome_id'], unique=False)

    op.create_table('results_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('output_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('own_name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.Enum(*UNITS, name='results_indicator_unit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('baseline', sa.Integer(), nullable=False),
    sa.CheckConstraint('baseline >= 0', name=op.f('ck_results_indicators_baseline_not_negative')),
    sa.CheckConstraint("(standard_id IS NOT NULL) OR (own_name <> '')", name=op.f('ck_results_indicators_standard_or_own')),
    sa.ForeignKeyConstraint(['output_id'], ['results_outputs.id'], name=op.f('fk_results_indicators_output_id_results_outputs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['results_standard_indicators.id'], name=op.f('fk_results_indicators_standard_id_results_standard_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_indicators'))
    )
    with op.batch_alter_table('results_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_indicators_output_id'), ['output_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_indicators_standard_id'), ['standard_id'], unique=False)

    op.create_table('results_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_results_targets_value_not_negative')),
    sa.CheckConstraint('year >= 1', name=op.f('ck_results_targets_year_from_one')),
    sa.ForeignKeyConstraint(['indicator_id'], ['results_indicators.id'], name=op.f('fk_results_targets_indicator_id_results_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_targets')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_results_targets_indicator_id'))
    )
    with op.batch_alter_table('results_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_targets_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('results_actuals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_results_actuals_value_not_negative')),
    sa.ForeignKeyConstraint(['indicator_id'], ['results_indicators.id'], name=op.f('fk_results_actuals_indicator_id_results_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_results_actuals_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_actuals')),
    sa.UniqueConstraint('report_id', 'indicator_id', name=op.f('uq_results_actuals_report_id'))
    )
    with op.batch_alter_table('results_actuals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_actuals_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_actuals_report_id'), ['report_id'], unique=False)

    from datetime import datetime, timezone

    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    op.bulk_insert(standard, [
        {
            'code': code, 'name': names['en'],
            'names': {lang: text for lang, text in names.items() if lang != 'en'},
            'unit': unit, 'sdg_target': sdg, 'active': True,
            'created_at': now, 'updated_at': now,
        }
        for code, unit, sdg, names in SEED
    ])


def downgrade():
    with op.batch_alter_table('results_actuals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_actuals_report_id'))
        batch_op.drop_index(batch_op.f('ix_results_actuals_indicator_id'))
    op.drop_table('results_actuals')
    with op.batch_alter_table('results_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_targets_indicator_id'))
    op.drop_table('results_targets')
    with op.batch_alter_table('results_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_indicators_standard_id'))
        batch_op.drop_index(batch_op.f('ix_results_indicators_output_id'))
    op.drop_table('results_indicators')
    with op.batch_alter_table('results_outputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_outputs_outcome_id'))
    op.drop_table('results_outputs')
    with op.batch_alter_table('results_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_outcomes_application_id'))
    op.drop_table('results_outcomes')
    op.drop_table('results_standard_indicators')
