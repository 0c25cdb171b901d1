//! `epa dates add-working-days | holidays | plan`.
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use epa_domain::calendar::{HolidayCalendar, Region};
use epa_domain::deadlines::{KnownDates, plan_deadlines};
use epa_domain::{Clock, MethodId, SystemClock};
use serde_json::json;

use super::exit::{json, lines, text, unusable};

/// What an imported bank holiday file does, shown in `--help`: it is easy to
/// assume a merge, and a hand-made file with one date would then quietly
/// drop the rest of that year's holidays.
pub(super) const HOLIDAYS_FILE_HELP: &str = "GOV.UK bank-holidays.json to load over the built-in calendar. \
An imported file replaces whole years: for each division and year with at least one event \
in the file, the file's list is that year's whole list (nothing is merged). GOV.UK's file \
lists whole years; a hand-made file must too.";

#[derive(Debug, Clone, clap::Args)]
pub struct CalendarArgs {
    /// The UK division: england-and-wales (default), scotland or
    /// northern-ireland (the last two only with imported data).
    #[arg(long, default_value = "england-and-wales")]
    pub region: String,
    #[arg(long, env = "EPA_BANK_HOLIDAYS", help = HOLIDAYS_FILE_HELP)]
    pub holidays_file: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
#[command(
    after_help = "Bank holidays: England and Wales by rule plus the embedded one-off changes; \
--holidays-file (or EPA_BANK_HOLIDAYS) imports GOV.UK's bank-holidays.json. An import replaces \
whole years: each division and year it mentions takes the file's list as its whole list, \
nothing merged."
)]
pub enum DatesCommand {
    /// The N-th working day after DATE (DATE itself never counts; N >= 1).
    AddWorkingDays {
        #[arg(value_parser = parse_date)]
        date: NaiveDate,
        #[arg(value_parser = parse_count)]
        n: u32,
        #[command(flatten)]
        calendar: CalendarArgs,
    },
    /// The bank holidays of a year, one per line: date, then name.
    #[command(
        after_help = "With --holidays-file, a year the file mentions is answered from the file \
alone: the import replaces whole years, it is never merged with the built-in calendar."
    )]
    Holidays {
        #[arg(value_parser = parse_year)]
        year: i32,
        #[command(flatten)]
        calendar: CalendarArgs,
    },
    /// Every deadline that follows from an EPA's dates, as JSON.
    ///
    /// Dates in an order that cannot happen (a planning meeting or an
    /// assessment before the gateway) are refused. A date that breaks a
    /// "must" rule of the policy (an observation booked with too little
    /// notice) is listed under `warnings`, naming the rule. A deadline past
    /// its date whose completion no option tells is `overdue_unless_done`,
    /// unless --complete-record says the dates given are all there is: then
    /// it is `missed`.
    Plan {
        #[command(flatten)]
        selection: super::selection::PlanSelection,
        /// Gateway approval: the EPA period starts here (required).
        // Checked in `run` rather than by clap, so the one-line error names
        // the missing option.
        #[arg(long, value_parser = parse_date)]
        gateway: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        planning_meeting: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        proposal_rejected: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        report_submitted: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        observation: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        interview: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        discussion: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        result_uploaded: Option<NaiveDate>,
        /// The EPA's first fail result (opens the resit/retake window).
        #[arg(long, value_parser = parse_date)]
        fail_result: Option<NaiveDate>,
        /// The project's fail result (opens the project rework).
        #[arg(long, value_parser = parse_date)]
        project_fail_result: Option<NaiveDate>,
        /// The gateway's submission: the EPAO's processing counts from it
        /// and the approval (--gateway) completes it.
        #[arg(long, value_parser = parse_date)]
        gateway_submitted: Option<NaiveDate>,
        /// The day the observation was booked (notice is given then).
        #[arg(long, value_parser = parse_date)]
        observation_booked_on: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        portfolio_submitted: Option<NaiveDate>,
        /// The observation's result release.
        #[arg(long, value_parser = parse_date)]
        observation_released: Option<NaiveDate>,
        /// The project's (interview's) result release.
        #[arg(long, value_parser = parse_date)]
        interview_released: Option<NaiveDate>,
        /// The discussion's result release.
        #[arg(long, value_parser = parse_date)]
        discussion_released: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        certificate_claimed: Option<NaiveDate>,
        /// The dates given are the whole record: an event of the product
        /// not given did not happen, so a past due date is `missed`.
        #[arg(long)]
        complete_record: bool,
        /// The EPA is finished (certificate received, or withdrawn): no
        /// deadline is left open.
        #[arg(long)]
        finished: bool,
        /// The day states are judged on (default: today in Europe/London).
        #[arg(long, value_parser = parse_date)]
        today: Option<NaiveDate>,
        #[arg(long, env = "EPA_BANK_HOLIDAYS", help = HOLIDAYS_FILE_HELP)]
        holidays_file: Option<PathBuf>,
    },
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == text)
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

fn parse_count(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(0) => Err(format!(
            "{text:?}: the number of working days must be at least 1"
        )),
        Ok(n) if n <= 100_000 => Ok(n),
        _ => Err(format!(
            "{text:?} is not a number of working days from 1 to 100000"
        )),
    }
}

fn parse_year(text: &str) -> Result<i32, String> {
    text.parse::<i32>()
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or_else(|| format!("{text:?} is not a year"))
}

pub(super) fn load_calendar(file: Option<&PathBuf>) -> Result<HolidayCalendar, String> {
    let mut calendar = HolidayCalendar::england_and_wales();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        calendar
            .import_govuk(&text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(calendar)
}

pub fn run(cmd: DatesCommand) -> ExitCode {
    match cmd {
        DatesCommand::AddWorkingDays { date, n, calendar } => {
            let answer = load_calendar(calendar.holidays_file.as_ref()).and_then(|cal| {
                let region = Region::parse(&calendar.region).map_err(|e| e.to_string())?;
                let wd = cal.working_days(region).map_err(|_| {
                    format!("no bank holiday data for region {region}; load it with --holidays-file (GOV.UK bank-holidays.json)")
                })?;
                wd.add(date, n).map_err(|e| e.to_string())
            });
            match answer {
                Ok(day) => lines(&day.to_string()),
                Err(reason) => unusable(reason),
            }
        }
        DatesCommand::Holidays { year, calendar } => {
            let answer = load_calendar(calendar.holidays_file.as_ref()).and_then(|cal| {
                let region = Region::parse(&calendar.region).map_err(|e| e.to_string())?;
                cal.holidays(region, year).map_err(|e| e.to_string())
            });
            match answer {
                Ok(list) => {
                    let mut out = String::new();
                    for h in list {
                        if h.notes.is_empty() {
                            out.push_str(&format!("{}  {}\n", h.date, h.name));
                        } else {
                            out.push_str(&format!(
                                "{}  {} ({})\n",
                                h.date,
                                h.name,
                                h.notes.to_lowercase()
                            ));
                        }
                    }
                    text(&out)
                }
                Err(reason) => unusable(reason),
            }
        }
        DatesCommand::Plan {
            selection,
            gateway,
            planning_meeting,
            proposal_rejected,
            report_submitted,
            observation,
            interview,
            discussion,
            result_uploaded,
            fail_result,
            project_fail_result,
            gateway_submitted,
            observation_booked_on,
            portfolio_submitted,
            observation_released,
            interview_released,
            discussion_released,
            certificate_claimed,
            complete_record,
            finished,
            today,
            holidays_file,
        } => {
            let Some(gateway) = gateway else {
                return unusable("--gateway DATE is required: the deadlines follow from it");
            };
            let known = KnownDates {
                gateway: Some(gateway),
                planning_meeting,
                proposal_rejection: proposal_rejected,
                report_submission: report_submitted,
                observation,
                interview,
                discussion,
                result_upload: result_uploaded,
                fail_result,
                project_fail_result,
                gateway_submitted,
                observation_booked_on,
                portfolio_submission: portfolio_submitted,
                results_released: [
                    (MethodId::Observation, observation_released),
                    (MethodId::Project, interview_released),
                    (MethodId::Discussion, discussion_released),
                ]
                .into_iter()
                .filter_map(|(m, d)| d.map(|d| (m, d)))
                .collect(),
                certificate_claim: certificate_claimed,
                record_complete: complete_record,
                finished,
                ..KnownDates::default()
            };
            let today = today.unwrap_or_else(|| SystemClock.today());
            let answer = selection.load().and_then(|plan| {
                let cal = load_calendar(holidays_file.as_ref())?;
                let wd = cal
                    .working_days(Region::EnglandAndWales)
                    .map_err(|e| e.to_string())?;
                let out = plan_deadlines(&plan, &known, today, &wd).map_err(|e| e.to_string())?;
                Ok(json!({
                    "plan": {"reference": plan.reference, "version": plan.version, "epao": plan.epao},
                    "today": today,
                    "region": Region::EnglandAndWales,
                    "deadlines": out.deadlines,
                    "waiting": out.waiting,
                    "warnings": out.warnings,
                }))
            });
            match answer {
                Ok(value) => json(&value),
                Err(reason) => unusable(reason),
            }
        }
    }
}
