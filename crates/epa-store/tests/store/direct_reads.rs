//! The reads SQLite serves on the request's thread (ADR 0171) give what
//! sqlx gives: every column read as sqlx reads it, and every value bound
//! as sqlx writes it, so a cursor or a date compares with what is stored.
//! The same tests run on PostgreSQL, where sqlx reads them.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use epa_domain::Grade;
use epa_domain::assessor_profile::Region;
use epa_domain::lifecycle::Stage;
use epa_store::assessment::Reader;
use epa_store::deadlines::{self, Cursor, NewDeadline, Openness, Parties};
use epa_store::epas::{self, Change, Filter, ListCursor, ListedEpa, Scope};
use epa_store::organisations::OrganisationKind;
use epa_store::{Db, StoreError, adjustments, apprentices, audit, conflicts, gate, organisations};
use uuid::Uuid;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

crate::conformance!(
    a_page_of_epas_reads_every_column_as_the_epa_does,
    |db: Db| async move {
        let (epa_id, assessor) = crate::enums::epa(&db).await;
        // Every column of the list set, none left empty.
        let row = epas::get(&db, epa_id).await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let change = Change {
            stage: Some(Stage::Planned),
            gateway_approved_on: Some(day(1)),
            planning_meeting_on: Some(day(2)),
            assessor_id: Some(assessor),
            overall_grade: Some(Grade::Distinction),
            lifecycle: None,
        };
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap() + Duration::microseconds(1);
        epas::update(&mut tx, epa_id, row.epa.version, &change, at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let row = epas::get(&db, epa_id).await.unwrap();
        assert_eq!(row.epa.updated_at, at);

        let scope = Scope {
            epao_id: Some(row.epa.epao_id),
            ..Scope::default()
        };
        let page = |filter: Filter<'static>, after: Option<ListCursor>| {
            let (db, scope) = (db.clone(), scope.clone());
            async move { epas::page(&db, &scope, &filter, after, 10).await.unwrap() }
        };
        let listed = ListedEpa::from(row.clone());
        assert_eq!(page(Filter::default(), None).await, vec![listed.clone()]);
        // Each bound value compares with the stored one: the stage and
        // policy as text, the cursor's instant and ID as sqlx wrote them.
        let planned = Filter {
            stage: Some(Stage::Planned),
            ..Filter::default()
        };
        assert_eq!(page(planned, None).await, vec![listed.clone()]);
        let innovate = Filter {
            policy: Some("innovate"),
            ..Filter::default()
        };
        assert_eq!(page(innovate, None).await, vec![]);
        let cursor = listed.cursor();
        assert_eq!(page(Filter::default(), Some(cursor)).await, vec![]);
        let just_before = ListCursor {
            created_at: cursor.created_at - Duration::microseconds(1),
            id: cursor.id,
        };
        assert_eq!(
            page(Filter::default(), Some(just_before)).await,
            vec![listed.clone()]
        );
        let same_instant_lower_id = ListCursor {
            created_at: cursor.created_at,
            id: Uuid::nil(),
        };
        assert_eq!(
            page(Filter::default(), Some(same_instant_lower_id)).await,
            vec![listed]
        );

        // The whole row, as sqlx reads it by name, for an EPA whose
        // assessor is found conflicted after allocation.
        assert_eq!(
            epas::needing_reallocation(&db, row.epa.epao_id, 10)
                .await
                .unwrap(),
            vec![]
        );
        let mut tx = db.begin_write().await.unwrap();
        conflicts::declare(
            &mut tx,
            assessor,
            row.employer_id,
            "declared",
            "a cousin",
            at,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            epas::needing_reallocation(&db, row.epa.epao_id, 10)
                .await
                .unwrap(),
            vec![row]
        );
    }
);

crate::conformance!(
    kept_deadlines_read_every_column_as_they_were_kept,
    |db: Db| async move {
        let (epa_id, _) = crate::enums::epa(&db).await;
        let parties = Parties {
            epao_id: Uuid::now_v7(),
            employer_id: Uuid::now_v7(),
            provider_id: Uuid::now_v7(),
            assessor_id: None,
            stage: "planned",
            policy: "innovate",
        };
        let kept = [
            NewDeadline {
                position: 7,
                deadline: "report_due".to_owned(),
                due_on: day(10),
                openness: Openness::Always,
                kind: "due_by".to_owned(),
                done_on: Some(day(9)),
                decided: false,
                body: r#"{"id":"report_due"}"#.to_owned(),
            },
            NewDeadline {
                position: 300,
                deadline: "results_due".to_owned(),
                due_on: day(12),
                openness: Openness::Until(day(12)),
                kind: "due_by".to_owned(),
                done_on: None,
                decided: true,
                body: r#"{"id":"results_due"}"#.to_owned(),
            },
        ];
        let mut tx = db.begin_write().await.unwrap();
        deadlines::replace(&mut tx, epa_id, &parties, &kept)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let scope = Scope {
            epao_id: Some(parties.epao_id),
            ..Scope::default()
        };
        let all = deadlines::all_page(&db, &scope, None, 10).await.unwrap();
        assert_eq!(all.len(), 2);
        for (read, kept) in all.iter().zip(&kept) {
            assert_eq!(read.epa_id, epa_id);
            assert_eq!(read.position, kept.position);
            assert_eq!(
                (read.stage.as_str(), read.policy.as_str()),
                ("planned", "innovate")
            );
            assert_eq!(read.deadline, kept.deadline);
            assert_eq!(read.due_on, kept.due_on);
            assert_eq!(read.kind, kept.kind);
            assert_eq!(read.done_on, kept.done_on);
            assert_eq!(read.decided, kept.decided);
            assert_eq!(read.body, kept.body);
        }
        // Bound dates and positions compare with the stored ones.
        let after_first = deadlines::all_page(&db, &scope, Some(all[0].cursor()), 10)
            .await
            .unwrap();
        assert_eq!(after_first, all[1..]);
        // Open on the 11th: the first whatever the date, the second due the
        // 12th.
        let open = deadlines::open_page(&db, &scope, day(11), None, 10)
            .await
            .unwrap();
        assert_eq!(open, all);
        // On the 13th the second is past its day; the first is still open.
        let open = deadlines::open_page(&db, &scope, day(13), None, 10)
            .await
            .unwrap();
        assert_eq!(open, all[..1]);
        let start = Cursor {
            due_on: day(10),
            epa_id,
            position: 7,
        };
        let open = deadlines::open_page(&db, &scope, day(11), Some(start), 10)
            .await
            .unwrap();
        assert_eq!(open, all[1..]);
    }
);

crate::conformance!(
    the_gate_reads_the_same_on_the_request_s_thread_as_in_a_transaction,
    |db: Db| async move {
        let (epa_id, assessor) = crate::enums::epa(&db).await;
        let row = epas::get(&db, epa_id).await.unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
        // A standing adjustment (minutes or a share, never both), and a person of
        // the gate: the assessor, conflicted with the provider.
        let mut tx = db.begin_write().await.unwrap();
        adjustments::insert(
            &mut tx,
            &adjustments::NewAdjustment {
                epa_id,
                extra_minutes: Some(15),
                extra_percent: None,
                arrangements: "a reader",
                reason: "dyslexia",
                decided_by: assessor,
            },
            at,
        )
        .await
        .unwrap();
        conflicts::declare(
            &mut tx,
            assessor,
            row.provider_id,
            "declared",
            "a cousin",
            at,
        )
        .await
        .unwrap();
        let entity_id = epa_id.to_string();
        for (action, after) in [
            (
                "epa.adjusted",
                Some(serde_json::json!({"extra_minutes": 15})),
            ),
            ("epa.viewed", None),
        ] {
            let event = audit::NewAuditEvent {
                occurred_at: at,
                actor_id: Some(assessor),
                actor_role: "epao_operations",
                action,
                entity_type: "epa",
                entity_id: &entity_id,
                before: None,
                after,
                request_id: None,
            };
            audit::append(&mut tx, &event).await.unwrap();
        }
        tx.commit().await.unwrap();

        let direct = gate::read(Reader::Db(&db), epa_id).await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let in_tx = gate::read(Reader::Tx(&mut tx), epa_id).await.unwrap();
        drop(tx);
        assert_eq!(direct, in_tx);
        let adjustment = direct.adjustment.expect("the adjustment stands");
        assert_eq!(
            (
                adjustment.extra_minutes,
                adjustment.extra_percent,
                adjustment.decided_at
            ),
            (Some(15), None, at)
        );
        assert_eq!(direct.people.conflicted, vec![assessor]);
        assert!(matches!(
            gate::read(Reader::Db(&db), Uuid::now_v7()).await,
            Err(StoreError::NotFound)
        ));

        // The EPA's history, read on the request's thread, as written.
        let history = audit::history(&db, "epa", &entity_id).await.unwrap();
        let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["epa.adjusted", "epa.viewed"]);
        assert!(
            history
                .iter()
                .all(|e| e.occurred_at == at && e.actor_role == "epao_operations")
        );
        assert_eq!(
            history[0].after_json.as_deref(),
            Some(r#"{"extra_minutes":15}"#)
        );
        assert_eq!(history[1].after_json, None);
        assert_eq!(
            audit::history(&db, "epa", "no such EPA").await.unwrap(),
            vec![]
        );
    }
);

crate::conformance!(
    every_scope_and_search_binds_as_stored_and_a_failed_read_leaves_nothing_behind,
    |db: Db| async move {
        let (epa_id, _) = crate::enums::epa(&db).await;
        let row = epas::get(&db, epa_id).await.unwrap();
        let listed = vec![ListedEpa::from(row.clone())];
        let search = |text: &str| Filter {
            search: epas::Search::from_text(text),
            ..Filter::default()
        };
        for (scope, filter) in [
            (
                Scope {
                    employer_id: Some(row.employer_id),
                    ..Scope::default()
                },
                Filter::default(),
            ),
            (
                Scope {
                    provider_id: Some(row.provider_id),
                    ..Scope::default()
                },
                search("LOVE"),
            ),
            (Scope::default(), search(&row.uln)),
        ] {
            let page = epas::page(&db, &scope, &filter, None, 10).await.unwrap();
            assert_eq!(page, listed, "{scope:?} {filter:?}");
        }
        let nobody = search("Babbage");
        let page = epas::page(&db, &Scope::default(), &nobody, None, 10)
            .await
            .unwrap();
        assert_eq!(page, vec![]);

        // A read that fails on a damaged row, then the same read once the
        // row is mended: the connection it failed on holds no old state.
        crate::enums::raw(
            &db,
            "UPDATE epas SET stage = 'archived' WHERE id = $1",
            epa_id,
        )
        .await;
        for _ in 0..3 {
            let failed = epas::page(&db, &Scope::default(), &Filter::default(), None, 10).await;
            assert!(matches!(failed, Err(StoreError::Corrupt(_))), "{failed:?}");
        }
        crate::enums::raw(
            &db,
            "UPDATE epas SET stage = 'registered' WHERE id = $1",
            epa_id,
        )
        .await;
        let page = epas::page(&db, &Scope::default(), &Filter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(page, listed);

        // Closed, the database answers no more reads.
        db.close().await;
        let closed = epas::page(&db, &Scope::default(), &Filter::default(), None, 10).await;
        assert!(closed.is_err(), "{closed:?}");
    }
);

crate::conformance!(
    a_corrected_employer_or_provider_moves_the_epa_between_their_lists,
    |db: Db| async move {
        let (epa_id, _) = crate::enums::epa(&db).await;
        let row = epas::get(&db, epa_id).await.unwrap();
        let (old_employer, old_provider) = (row.employer_id, row.provider_id);
        let mut tx = db.begin_write().await.unwrap();
        let mut org = async |kind, name| {
            let new = organisations::NewOrganisation {
                kind,
                name,
                ukprn: None,
            };
            let at = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
            organisations::insert(&mut tx, &new, at).await.unwrap().id
        };
        let employer = org(organisations::OrganisationKind::Employer, "New employer").await;
        let provider = org(organisations::OrganisationKind::Provider, "New provider").await;
        let apprentice = apprentices::get_in(&mut tx, row.epa.apprentice_id)
            .await
            .unwrap();
        let correction = apprentices::Correction {
            uln: &apprentice.uln,
            given_names: &apprentice.given_names,
            family_name: &apprentice.family_name,
            date_of_birth: apprentice.date_of_birth,
            employer_id: employer,
            provider_id: provider,
        };
        apprentices::correct(&mut tx, apprentice.id, apprentice.version, &correction)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let listed = |scope: Scope| {
            let db = db.clone();
            async move {
                epas::page(&db, &scope, &Filter::default(), None, 10)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|epa| epa.id)
                    .collect::<Vec<_>>()
            }
        };
        let employer_scope = |id| Scope {
            employer_id: Some(id),
            ..Scope::default()
        };
        let provider_scope = |id| Scope {
            provider_id: Some(id),
            ..Scope::default()
        };
        // The organisations that were the apprentice's no longer list it;
        // those that are now, do.
        assert_eq!(
            listed(employer_scope(old_employer)).await,
            Vec::<Uuid>::new()
        );
        assert_eq!(
            listed(provider_scope(old_provider)).await,
            Vec::<Uuid>::new()
        );
        assert_eq!(listed(employer_scope(employer)).await, vec![epa_id]);
        assert_eq!(listed(provider_scope(provider)).await, vec![epa_id]);
    }
);

crate::conformance!(
    the_organisations_a_registration_names_read_every_column,
    |db: Db| async move {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap() + Duration::microseconds(7);
        let mut tx = db.begin_write().await.unwrap();
        let mut org = async |kind, name, ukprn| {
            let new = organisations::NewOrganisation { kind, name, ukprn };
            organisations::insert(&mut tx, &new, at).await.unwrap()
        };
        // First by name: a space sorts before every letter.
        let epao = org(OrganisationKind::Epao, " First EPAO", None).await;
        let provider = org(OrganisationKind::Provider, "A provider", Some("10012345")).await;
        let employer = org(OrganisationKind::Employer, "An employer", None).await;
        // Every column set, with text that needs care.
        let contact = organisations::PostalContact {
            contact_name: Some("Ann O'Neill".to_owned()),
            contact_organisation: Some("Ünïcode \"Quoted\" Ltd".to_owned()),
            address_line_1: Some("1 High Street".to_owned()),
            address_line_2: Some("Flat 2\nBack door".to_owned()),
            city: Some("Leeds".to_owned()),
            postcode: Some("LS1 1AA".to_owned()),
        };
        let details = organisations::OrganisationDetails {
            name: "An employer",
            ukprn: None,
            contact: &contact,
            region: Some(Region::YorkshireAndTheHumber),
        };
        let employer =
            organisations::update_details(&mut tx, employer.id, employer.version, &details)
                .await
                .unwrap();
        tx.commit().await.unwrap();

        assert_eq!(
            organisations::first_of_kind(&db, OrganisationKind::Epao)
                .await
                .unwrap(),
            Some(epao)
        );
        let mut named = organisations::with_ids(&db, &[employer.id, provider.id, Uuid::now_v7()])
            .await
            .unwrap();
        named.sort_by_key(|org| org.id);
        let mut expected = vec![employer, provider];
        expected.sort_by_key(|org| org.id);
        assert_eq!(named, expected);
        assert_eq!(organisations::with_ids(&db, &[]).await.unwrap(), vec![]);
    }
);
