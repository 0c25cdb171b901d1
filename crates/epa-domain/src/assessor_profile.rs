//! What an assessor's profile says about where and how much they can
//! assess: the regions they cover, how many assessments a day and a week,
//! and the days they cannot work. The scheduler reads it; these rules say
//! what a profile may hold (ADR 0115).

use chrono::NaiveDate;

named_enum! {
    /// England's regions (ITL1), where an assessor travels to.
    pub enum Region {
        NorthEast => "north_east",
        NorthWest => "north_west",
        YorkshireAndTheHumber => "yorkshire_and_the_humber",
        EastMidlands => "east_midlands",
        WestMidlands => "west_midlands",
        EastOfEngland => "east_of_england",
        London => "london",
        SouthEast => "south_east",
        SouthWest => "south_west",
    }
}

/// Most assessments in one day: each method takes an hour or more.
pub const MAX_PER_DAY: u32 = 8;
/// Most unavailable days kept at once.
pub const MAX_UNAVAILABLE_DAYS: usize = 400;

/// A profile as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub regions: Vec<Region>,
    pub per_day: u32,
    pub per_week: u32,
    /// Sorted, no repeats.
    pub unavailable: Vec<NaiveDate>,
}

/// A problem with one field of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    pub field: &'static str,
    pub message: String,
}

impl Profile {
    /// Checks a profile: at least one region, 1 to 8 a day, a week of at
    /// least a day's and at most five days' worth, unavailable days from
    /// `today` on (past days are history, not availability).
    pub fn new(
        regions: &[&str],
        per_day: u32,
        per_week: u32,
        unavailable: &[NaiveDate],
        today: NaiveDate,
    ) -> Result<Profile, Vec<ProfileProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field, message: String| problems.push(ProfileProblem { field, message });
        let mut chosen = Vec::new();
        for text in regions {
            match Region::parse(text) {
                Some(region) if !chosen.contains(&region) => chosen.push(region),
                Some(_) => {}
                None => problem(
                    "regions",
                    format!(
                        "{text:?} is not a region: use {}",
                        Region::ALL
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
        if regions.is_empty() {
            problem("regions", "choose at least one region".into());
        }
        if !(1..=MAX_PER_DAY).contains(&per_day) {
            problem(
                "max_per_day",
                format!("use a number from 1 to {MAX_PER_DAY}"),
            );
        }
        if per_week < per_day || per_week > per_day.saturating_mul(5) {
            problem(
                "max_per_week",
                "use at least the number a day and at most five days' worth".into(),
            );
        }
        let mut days = unavailable.to_vec();
        days.sort();
        days.dedup();
        if days.first().is_some_and(|d| *d < today) {
            problem(
                "unavailable_days",
                "give days from today on: past days are not availability".into(),
            );
        }
        if days.len() > MAX_UNAVAILABLE_DAYS {
            problem(
                "unavailable_days",
                format!("give at most {MAX_UNAVAILABLE_DAYS} days"),
            );
        }
        chosen.sort();
        if problems.is_empty() {
            Ok(Profile {
                regions: chosen,
                per_day,
                per_week,
                unavailable: days,
            })
        } else {
            Err(problems)
        }
    }

    /// Whether the assessor can take an assessment on `day`.
    pub fn available_on(&self, day: NaiveDate) -> bool {
        self.unavailable.binary_search(&day).is_err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_profile_is_checked_at_its_edges() {
        let ok = Profile::new(
            &["london", "south_east", "london"],
            2,
            10,
            &[day(9), day(3), day(9)],
            day(2),
        )
        .unwrap();
        assert_eq!(ok.regions, [Region::London, Region::SouthEast]);
        assert_eq!(ok.unavailable, [day(3), day(9)]);
        assert!(!ok.available_on(day(9)));
        assert!(ok.available_on(day(10)));
        assert!(Profile::new(&["london"], 1, 1, &[], day(2)).is_ok());
        assert!(Profile::new(&["london"], 8, 40, &[day(2)], day(2)).is_ok());
        let fields = |r: Result<Profile, Vec<ProfileProblem>>| {
            r.unwrap_err()
                .into_iter()
                .map(|p| p.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(Profile::new(&[], 1, 1, &[], day(2))), ["regions"]);
        assert_eq!(
            fields(Profile::new(&["mars"], 1, 1, &[], day(2))),
            ["regions"]
        );
        assert_eq!(
            fields(Profile::new(&["london"], 0, 1, &[], day(2))),
            ["max_per_day", "max_per_week"]
        );
        assert_eq!(
            fields(Profile::new(&["london"], 9, 9, &[], day(2))),
            ["max_per_day"]
        );
        assert_eq!(
            fields(Profile::new(&["london"], 2, 11, &[], day(2))),
            ["max_per_week"]
        );
        assert_eq!(
            fields(Profile::new(&["london"], 2, 1, &[], day(2))),
            ["max_per_week"]
        );
        assert_eq!(
            fields(Profile::new(&["london"], 2, 2, &[day(1)], day(2))),
            ["unavailable_days"]
        );
    }
}
