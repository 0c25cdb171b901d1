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

impl Region {
    /// The refusal of `text` as a region, listing the regions.
    pub fn unknown(text: &str) -> String {
        let all: Vec<&str> = Region::ALL.iter().map(|r| r.as_str()).collect();
        format!("{text:?} is not a region: use {}", all.join(", "))
    }

    /// The region's name in plain English, as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Region::NorthEast => "North East",
            Region::NorthWest => "North West",
            Region::YorkshireAndTheHumber => "Yorkshire and the Humber",
            Region::EastMidlands => "East Midlands",
            Region::WestMidlands => "West Midlands",
            Region::EastOfEngland => "East of England",
            Region::London => "London",
            Region::SouthEast => "South East",
            Region::SouthWest => "South West",
        }
    }

    /// Minutes by road from this region to `to`, for an in-person
    /// assessment: within a region, a typical trip across it; between
    /// two, from the distance between their regional centres (Newcastle,
    /// Manchester, Leeds, Nottingham, Birmingham, Cambridge, London,
    /// Reading, Exeter) times 1.3 for roads that are not straight, at
    /// 80 km/h, plus 20 minutes to get out of town, to the nearest 5
    /// minutes. The same figures as the scheduling benchmark's generator
    /// (`bench/scheduling/generate.py`, ADR 0127); symmetric.
    pub fn travel_minutes(self, to: Region) -> u32 {
        TRAVEL_MINUTES[self as usize][to as usize]
    }
}

/// [`Region::travel_minutes`], in the order of [`Region::ALL`].
const TRAVEL_MINUTES: [[u32; 9]; 9] = [
    [35, 185, 145, 240, 290, 340, 405, 405, 500], // North East
    [185, 30, 75, 110, 130, 230, 275, 255, 330],  // North West
    [145, 75, 30, 115, 165, 225, 285, 280, 380],  // Yorkshire and the Humber
    [240, 110, 115, 35, 90, 135, 190, 185, 310],  // East Midlands
    [290, 130, 165, 90, 30, 155, 180, 145, 240],  // West Midlands
    [340, 230, 225, 135, 155, 40, 95, 130, 315],  // East of England
    [405, 275, 285, 190, 180, 95, 20, 75, 265],   // London
    [405, 255, 280, 185, 145, 130, 75, 40, 210],  // South East
    [500, 330, 380, 310, 240, 315, 265, 210, 45], // South West
];

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
                None => problem("regions", Region::unknown(text)),
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

    #[test]
    fn travel_is_symmetric_and_shortest_at_home() {
        for &from in Region::ALL {
            for &to in Region::ALL {
                assert_eq!(from.travel_minutes(to), to.travel_minutes(from));
                if from != to {
                    assert!(from.travel_minutes(from) < from.travel_minutes(to));
                    assert!(to.travel_minutes(to) < from.travel_minutes(to));
                }
            }
        }
        assert_eq!(Region::London.travel_minutes(Region::SouthEast), 75);
        assert_eq!(Region::NorthEast.travel_minutes(Region::SouthWest), 500);
    }

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
