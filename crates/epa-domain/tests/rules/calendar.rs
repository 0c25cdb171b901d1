use epa_domain::calendar::{HolidayCalendar, Region};

use crate::d;

fn year(y: i32) -> Vec<(String, String)> {
    HolidayCalendar::england_and_wales()
        .holidays(Region::EnglandAndWales, y)
        .unwrap()
        .into_iter()
        .map(|h| (h.date.to_string(), h.name))
        .collect()
}

fn dates(y: i32) -> Vec<String> {
    year(y).into_iter().map(|(date, _)| date).collect()
}

// Expected lists as GOV.UK published them.
#[test]
fn england_and_wales_by_year() {
    let cases: &[(i32, &[&str])] = &[
        (
            2019,
            &[
                "2019-01-01",
                "2019-04-19",
                "2019-04-22",
                "2019-05-06",
                "2019-05-27",
                "2019-08-26",
                "2019-12-25",
                "2019-12-26",
            ],
        ),
        // VE Day 75: the early May bank holiday moved to Friday 8 May.
        // Christmas on a Friday: Boxing Day substitute on Monday 28.
        (
            2020,
            &[
                "2020-01-01",
                "2020-04-10",
                "2020-04-13",
                "2020-05-08",
                "2020-05-25",
                "2020-08-31",
                "2020-12-25",
                "2020-12-28",
            ],
        ),
        // Christmas on a Saturday: Monday 27 and Tuesday 28.
        (
            2021,
            &[
                "2021-01-01",
                "2021-04-02",
                "2021-04-05",
                "2021-05-03",
                "2021-05-31",
                "2021-08-30",
                "2021-12-27",
                "2021-12-28",
            ],
        ),
        // New Year on a Saturday; Platinum Jubilee (2 and 3 June, no 30 May);
        // the state funeral; Christmas on a Sunday: Boxing Day 26, substitute 27.
        (
            2022,
            &[
                "2022-01-03",
                "2022-04-15",
                "2022-04-18",
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-08-29",
                "2022-09-19",
                "2022-12-26",
                "2022-12-27",
            ],
        ),
        // The coronation, the week after the early May bank holiday.
        (
            2023,
            &[
                "2023-01-02",
                "2023-04-07",
                "2023-04-10",
                "2023-05-01",
                "2023-05-08",
                "2023-05-29",
                "2023-08-28",
                "2023-12-25",
                "2023-12-26",
            ],
        ),
        (
            2024,
            &[
                "2024-01-01",
                "2024-03-29",
                "2024-04-01",
                "2024-05-06",
                "2024-05-27",
                "2024-08-26",
                "2024-12-25",
                "2024-12-26",
            ],
        ),
        (
            2026,
            &[
                "2026-01-01",
                "2026-04-03",
                "2026-04-06",
                "2026-05-04",
                "2026-05-25",
                "2026-08-31",
                "2026-12-25",
                "2026-12-28",
            ],
        ),
        // Christmas on a Saturday again.
        (
            2027,
            &[
                "2027-01-01",
                "2027-03-26",
                "2027-03-29",
                "2027-05-03",
                "2027-05-31",
                "2027-08-30",
                "2027-12-27",
                "2027-12-28",
            ],
        ),
        (
            2011,
            &[
                "2011-01-03",
                "2011-04-22",
                "2011-04-25",
                "2011-04-29",
                "2011-05-02",
                "2011-05-30",
                "2011-08-29",
                "2011-12-26",
                "2011-12-27",
            ],
        ),
        (
            2012,
            &[
                "2012-01-02",
                "2012-04-06",
                "2012-04-09",
                "2012-05-07",
                "2012-06-04",
                "2012-06-05",
                "2012-08-27",
                "2012-12-25",
                "2012-12-26",
            ],
        ),
        (
            2002,
            &[
                "2002-01-01",
                "2002-03-29",
                "2002-04-01",
                "2002-05-06",
                "2002-06-03",
                "2002-06-04",
                "2002-08-26",
                "2002-12-25",
                "2002-12-26",
            ],
        ),
    ];
    for (y, expected) in cases {
        assert_eq!(dates(*y), *expected, "bank holidays of {y}");
    }
}

#[test]
fn one_offs_carry_their_names() {
    let y2023 = year(2023);
    assert!(y2023.contains(&(
        "2023-05-08".into(),
        "Bank holiday for the coronation of King Charles III".into()
    )));
    let y2020 = year(2020);
    assert!(y2020.contains(&(
        "2020-05-08".into(),
        "Early May bank holiday (VE day)".into()
    )));
    assert!(!y2020.iter().any(|(date, _)| date == "2020-05-04"));
    assert!(dates(1999).contains(&"1999-12-31".to_owned()));
}

#[test]
fn working_days_over_the_special_days() {
    let cal = HolidayCalendar::england_and_wales();
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    // Thursday 7 May 2020 -> Monday 11 May (Friday 8 was VE Day); Monday 4 May was a working day.
    assert_eq!(wd.add(d("2020-05-07"), 1).unwrap(), d("2020-05-11"));
    assert_eq!(wd.add(d("2020-05-01"), 1).unwrap(), d("2020-05-04"));
    // Wednesday 1 June 2022 -> Monday 6 June (Jubilee Thursday and Friday).
    assert_eq!(wd.add(d("2022-06-01"), 1).unwrap(), d("2022-06-06"));
    // Across Christmas 2022 (Boxing Day 26, substitute 27) and New Year 2023 (2 January).
    assert_eq!(wd.add(d("2022-12-23"), 1).unwrap(), d("2022-12-28"));
    assert_eq!(wd.add(d("2022-12-30"), 1).unwrap(), d("2023-01-03"));
    // 15 working days from Friday 5 May 2023, over the coronation (Monday 8)
    // and the spring bank holiday (Monday 29): 4 + 5 + 5 + 1 = Tuesday 30 May.
    assert_eq!(wd.add(d("2023-05-05"), 15).unwrap(), d("2023-05-30"));
}

#[test]
fn an_import_replaces_whole_years_and_never_merges() {
    // One event for 2025: the whole of 2025 becomes that one holiday; the
    // years the file does not mention keep the rules' answer.
    let mut cal = HolidayCalendar::england_and_wales();
    cal.import_govuk(
        r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Christmas Day", "date": "2025-12-25", "notes": "", "bunting": true}]}}"#,
    )
    .unwrap();
    let of = |y| {
        cal.holidays(Region::EnglandAndWales, y)
            .unwrap()
            .into_iter()
            .map(|h| h.date)
            .collect::<Vec<_>>()
    };
    assert_eq!(of(2025), [d("2025-12-25")]);
    assert_eq!(of(2024).len(), 8);
    let wd = cal.working_days(Region::EnglandAndWales).unwrap();
    // Good Friday 2025 (18 April) is a working day under this import.
    assert_eq!(
        wd.add(d("2025-04-17"), 1).unwrap(),
        d("2025-04-18"),
        "the import replaced 2025, so Good Friday is no longer a holiday"
    );
}
