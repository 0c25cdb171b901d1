//! Both migration sets build the same tables with the same columns.

use epa_store::schema;

/// The schema every backend must have after migrating: one list for both,
/// so a column added to one migration set and forgotten in the other fails here.
fn expected() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "apprentices",
            vec![
                "created_at",
                "date_of_birth",
                "employer_id",
                "family_name",
                "given_names",
                "id",
                "provider_id",
                "start_date",
                "user_id",
                "uln",
                "version",
            ],
        ),
        (
            "audit_events",
            vec![
                "action",
                "actor_id",
                "actor_role",
                "after_json",
                "before_json",
                "entity_id",
                "entity_type",
                "hash",
                "id",
                "occurred_at",
                "prev_hash",
                "request_id",
                "seq",
            ],
        ),
        (
            "memberships",
            vec!["created_at", "organisation_id", "role", "user_id"],
        ),
        (
            "organisations",
            vec!["created_at", "id", "kind", "name", "ukprn", "version"],
        ),
        (
            "users",
            vec![
                "created_at",
                "display_name",
                "email",
                "id",
                "password_hash",
                "version",
            ],
        ),
    ]
}

crate::conformance!(
    migrations_build_the_same_schema,
    |db: epa_store::Db| async move {
        let tables = schema::tables(&db).await.expect("read the schema");
        let actual: Vec<(String, Vec<String>)> = tables.into_iter().collect();
        let expected: Vec<(String, Vec<String>)> = expected()
            .into_iter()
            .map(|(table, columns)| {
                let mut columns: Vec<String> = columns.into_iter().map(str::to_owned).collect();
                columns.sort();
                (table.to_owned(), columns)
            })
            .collect();
        assert_eq!(actual, expected);
    }
);

crate::conformance!(
    migrating_twice_changes_nothing,
    |db: epa_store::Db| async move {
        let before = schema::tables(&db).await.expect("read the schema");
        db.migrate().await.expect("second migration run");
        assert_eq!(schema::tables(&db).await.expect("read the schema"), before);
    }
);
