"""ListCount, the triggers that keep it exact, and the counts of the rows already there.

The triggers and the first counts are made in this migration's transaction: on PostgreSQL CREATE TRIGGER locks
the table against writes until the commit, so no row is added between the count and the trigger.
"""

from django.db import migrations, models

# (table, the kind of a row, the columns whose change moves a row to another count)
COUNTED = (
    ("accounts_account", "'account'", ("reseller_id",)),
    ("assets_asset", "'asset:' || {row}.asset_type", ("reseller_id", "asset_type")),
)


def kind(expression: str, row: str) -> str:
    return expression.format(row=row)


def postgresql(table: str, expression: str, columns: tuple[str, ...]) -> list[str]:
    moved = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO listcounts_listcount AS c (reseller_id, kind, total)
            SELECT new_rows.reseller_id, {kind(expression, "new_rows")}, count(*) FROM new_rows GROUP BY 1, 2
            ON CONFLICT (reseller_id, kind) DO UPDATE SET total = c.total + EXCLUDED.total;
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_count_insert()""",
        f"""
        CREATE OR REPLACE FUNCTION {table}_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE listcounts_listcount AS c SET total = c.total - gone.n
            FROM (
                SELECT old_rows.reseller_id, {kind(expression, "old_rows")} AS kind, count(*) AS n
                FROM old_rows GROUP BY 1, 2
            ) AS gone
            WHERE c.reseller_id = gone.reseller_id AND c.kind = gone.kind;
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_count_delete()""",
        f"""
        CREATE OR REPLACE FUNCTION {table}_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE listcounts_listcount SET total = total - 1
            WHERE reseller_id = OLD.reseller_id AND kind = {kind(expression, "OLD")};
            INSERT INTO listcounts_listcount AS c (reseller_id, kind, total)
            VALUES (NEW.reseller_id, {kind(expression, "NEW")}, 1)
            ON CONFLICT (reseller_id, kind) DO UPDATE SET total = c.total + 1;
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER {table}_count_move AFTER UPDATE OF {", ".join(columns)} ON {table}
        FOR EACH ROW WHEN ({moved}) EXECUTE FUNCTION {table}_count_move()""",
    ]


def sqlite(table: str, expression: str, columns: tuple[str, ...]) -> list[str]:
    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
    add = f"""
        INSERT INTO listcounts_listcount (reseller_id, kind, total) VALUES (NEW.reseller_id, {kind(expression, "NEW")}, 1)
        ON CONFLICT (reseller_id, kind) DO UPDATE SET total = total + 1;"""
    subtract = f"""
        UPDATE listcounts_listcount SET total = total - 1
        WHERE reseller_id = OLD.reseller_id AND kind = {kind(expression, "OLD")};"""
    return [
        f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} BEGIN {subtract} END",
        f"""CREATE TRIGGER {table}_count_move AFTER UPDATE OF {", ".join(columns)} ON {table}
        WHEN {moved} BEGIN {subtract} {add} END""",
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"apps.listcounts has triggers for PostgreSQL and SQLite only, not {vendor}")
    for table, expression, columns in COUNTED:
        statements = postgresql(table, expression, columns) if vendor == "postgresql" else sqlite(
            table, expression, columns
        )
        for statement in statements:
            schema_editor.execute(statement)
        schema_editor.execute(
            f"""INSERT INTO listcounts_listcount (reseller_id, kind, total)
            SELECT reseller_id, {kind(expression, table)}, count(*) FROM {table} GROUP BY 1, 2"""
        )


def uninstall(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, _expression, _columns in COUNTED:
        for suffix in ("insert", "delete", "move"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_count_{suffix}" + (f" ON {table}" if postgres else ""))
            if postgres:
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_count_{suffix}()")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("assets", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reseller_id", models.BigIntegerField()),
                ("kind", models.CharField(max_length=40)),
                ("total", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("reseller_id", "kind"), name="listcount_reseller_kind")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
