"""The statistics pre-aggregates (issue #13): ``StatsChange`` (统计变更, written by triggers), ``StatsSnapshot``
(统计快照, per organization and day) and the triggers themselves (``reports.snapshot_triggers``)."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from zugong.reports.snapshot_triggers import install_triggers

    install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    from zugong.reports.snapshot_triggers import remove_triggers

    remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orgs', '0005_organizationterm'),
        ('party', '0009_attributes_occupation'),
        ('people', '0006_annual_report_attributes'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatsChange',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('organization_id', models.BigIntegerField(verbose_name='党组织')),
                ('weight', models.BigIntegerField(default=1, verbose_name='变更次数')),
            ],
            options={
                'verbose_name': '统计变更',
                'verbose_name_plural': '统计变更',
                'indexes': [models.Index(fields=['organization_id', 'weight'], name='reports_statschange_org_idx')],
            },
        ),
        migrations.CreateModel(
            name='StatsSnapshot',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('day', models.DateField(verbose_name='截至日期')),
                ('signature', models.CharField(max_length=40, verbose_name='口径指纹')),
                ('version', models.BigIntegerField(verbose_name='变更计数')),
                ('n00', models.IntegerField(db_default=0, default=0)),
                ('n01', models.IntegerField(db_default=0, default=0)),
                ('n02', models.IntegerField(db_default=0, default=0)),
                ('n03', models.IntegerField(db_default=0, default=0)),
                ('n04', models.IntegerField(db_default=0, default=0)),
                ('n05', models.IntegerField(db_default=0, default=0)),
                ('n06', models.IntegerField(db_default=0, default=0)),
                ('n07', models.IntegerField(db_default=0, default=0)),
                ('n08', models.IntegerField(db_default=0, default=0)),
                ('n09', models.IntegerField(db_default=0, default=0)),
                ('n10', models.IntegerField(db_default=0, default=0)),
                ('n11', models.IntegerField(db_default=0, default=0)),
                ('n12', models.IntegerField(db_default=0, default=0)),
                ('n13', models.IntegerField(db_default=0, default=0)),
                ('n14', models.IntegerField(db_default=0, default=0)),
                ('n15', models.IntegerField(db_default=0, default=0)),
                ('n16', models.IntegerField(db_default=0, default=0)),
                ('n17', models.IntegerField(db_default=0, default=0)),
                ('n18', models.IntegerField(db_default=0, default=0)),
                ('n19', models.IntegerField(db_default=0, default=0)),
                ('n20', models.IntegerField(db_default=0, default=0)),
                ('n21', models.IntegerField(db_default=0, default=0)),
                ('n22', models.IntegerField(db_default=0, default=0)),
                ('n23', models.IntegerField(db_default=0, default=0)),
                ('n24', models.IntegerField(db_default=0, default=0)),
                ('n25', models.IntegerField(db_default=0, default=0)),
                ('n26', models.IntegerField(db_default=0, default=0)),
                ('n27', models.IntegerField(db_default=0, default=0)),
                ('n28', models.IntegerField(db_default=0, default=0)),
                ('n29', models.IntegerField(db_default=0, default=0)),
                ('n30', models.IntegerField(db_default=0, default=0)),
                ('n31', models.IntegerField(db_default=0, default=0)),
                ('n32', models.IntegerField(db_default=0, default=0)),
                ('n33', models.IntegerField(db_default=0, default=0)),
                ('n34', models.IntegerField(db_default=0, default=0)),
                ('n35', models.IntegerField(db_default=0, default=0)),
                ('n36', models.IntegerField(db_default=0, default=0)),
                ('n37', models.IntegerField(db_default=0, default=0)),
                ('n38', models.IntegerField(db_default=0, default=0)),
                ('n39', models.IntegerField(db_default=0, default=0)),
                ('n40', models.IntegerField(db_default=0, default=0)),
                ('n41', models.IntegerField(db_default=0, default=0)),
                ('n42', models.IntegerField(db_default=0, default=0)),
                ('n43', models.IntegerField(db_default=0, default=0)),
                ('n44', models.IntegerField(db_default=0, default=0)),
                ('n45', models.IntegerField(db_default=0, default=0)),
                ('n46', models.IntegerField(db_default=0, default=0)),
                ('n47', models.IntegerField(db_default=0, default=0)),
                ('organization', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.partyorganization', verbose_name='党组织')),
            ],
            options={
                'verbose_name': '统计快照',
                'verbose_name_plural': '统计快照',
                'constraints': [models.UniqueConstraint(fields=('organization', 'day'), name='reports_snapshot_org_day')],
            },
        ),
        migrations.RunPython(install, remove),
    ]
