//! The schedule page: EPAO operations see the proposal as a form, with the
//! figures and the reasons for anything left out, and book the rows they
//! keep; a row the rules refuse stays on the form with the rule's words
//! next to it, and the others are booked.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::Value;

use crate::on_both;
use crate::pages::{page, signed_in};
use crate::pages_gateway::post;
use crate::planning::{bookings_of, planned, submit_report};
use crate::schedule::{propose, ready};

/// The form's fields for the proposal's rows, as the page names them,
/// each kept; `change` adjusts a row's date.
fn form_of(proposal: &Value, change: Option<(&str, &str)>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (i, row) in proposal["bookings"].as_array().unwrap().iter().enumerate() {
        let text = |key: &str| row[key].as_str().unwrap().to_owned();
        let mut date = text("date");
        if let Some((method, on)) = change
            && row["method"] == method
        {
            date = on.to_owned();
        }
        for (name, value) in [
            ("epa", text("epa_id")),
            ("apprentice", text("apprentice")),
            ("method", text("method")),
            ("mode", text("mode")),
            ("region", text("region")),
            ("date", date),
            ("start_time", text("start_time")),
            ("assessor", text("assessor_id")),
            ("keep", "yes".to_owned()),
        ] {
            pairs.push((format!("row-{i}-{name}"), value));
        }
    }
    pairs
}

on_both!(
    staff_see_the_proposal_and_book_the_rows_they_keep,
    async |app: &TestApp, world: &World| {
        ready(app, world).await;
        let epa = planned(app, world, "tquk", 1).await;
        submit_report(app, world, &epa, "2026-11-02").await;
        let cookie = signed_in(app, &world.operations).await;
        let (status, html) = page(app, &cookie, "/schedule").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("href=\"/schedule\" aria-current=\"page\""),
            "the navigation"
        );
        assert!(html.contains("The proposal in figures"), "{html}");
        assert!(html.contains("1 apprentice is waiting"), "{html}");
        assert!(html.contains("Test Apprentice 1"));
        for name in [
            "row-0-epa",
            "row-0-date",
            "row-0-assessor",
            "row-0-keep",
            "row-2-date",
        ] {
            assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert!(html.contains("Book the rows kept"));

        let proposal = propose(app, world).await;
        let (status, location, body) =
            post(app, &cookie, "/schedule", form_of(&proposal, None)).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/schedule?booked=3"),
            "{body}"
        );
        assert_eq!(bookings_of(app, world, &epa).await.len(), 3);
        let (_, html) = page(app, &cookie, "/schedule?booked=3").await;
        assert!(html.contains("3 assessments booked"), "{html}");
        assert!(html.contains("nothing to propose"), "{html}");
    }
);

on_both!(
    a_refused_row_stays_on_the_form_with_the_rule_next_to_it,
    async |app: &TestApp, world: &World| {
        ready(app, world).await;
        let epa = planned(app, world, "tquk", 2).await;
        submit_report(app, world, &epa, "2026-11-02").await;
        let cookie = signed_in(app, &world.operations).await;
        let proposal = propose(app, world).await;
        let form = form_of(&proposal, Some(("observation", "2026-11-03")));
        let (status, _, html) = post(app, &cookie, "/schedule", form).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("There is a problem"), "{html}");
        assert!(html.contains("notice"), "the rule's own words: {html}");
        assert!(html.contains("class=\"row-error\""), "{html}");
        assert!(html.contains("value=\"2026-11-03\""), "the date as entered");
        assert!(
            html.contains("<h2 class=\"panel-title\">Booked</h2>"),
            "{html}"
        );
        let booked = bookings_of(app, world, &epa).await;
        assert_eq!(booked.len(), 2);

        // Nothing kept: the page asks for a choice and books nothing.
        let mut form = form_of(&proposal, None);
        form.retain(|(name, _)| !name.ends_with("-keep"));
        let (status, _, html) = post(app, &cookie, "/schedule", form).await;
        assert_eq!(status, 422);
        assert!(
            html.contains("Choose at least one assessment to book"),
            "{html}"
        );
        assert_eq!(bookings_of(app, world, &epa).await.len(), 2);

        // Not for assessors.
        let cookie = signed_in(app, &world.assessor).await;
        let (status, _) = page(app, &cookie, "/schedule").await;
        assert_eq!(status, 403);
    }
);
