//! Word limits, verdicts and the sentence a person reads.

use serde::Serialize;

use crate::count::WordCount;

/// A word limit from an EPAO's policy. `None` means no bound on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WordLimit {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

/// Where a count falls against a [`WordLimit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Under,
    Within,
    Over,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Under => "under",
            Self::Within => "within",
            Self::Over => "over",
        }
    }
}

impl WordLimit {
    pub const NONE: Self = Self {
        min: None,
        max: None,
    };

    /// A target with a tolerance either side: 2,500 words +/- 10% is
    /// 2,250 to 2,750. Rounded outwards so the tolerance is never shaved.
    pub fn around(target: u64, tolerance_percent: u64) -> Self {
        let slack = target * tolerance_percent;
        Self {
            min: Some(target - slack.div_ceil(100).min(target)),
            max: Some(target + slack.div_ceil(100)),
        }
    }

    pub fn at_most(max: u64) -> Self {
        Self {
            min: None,
            max: Some(max),
        }
    }

    /// Both bounds are inclusive: 2,750 words is within 2,250-2,750.
    pub fn verdict(&self, words: u64) -> Verdict {
        if self.min.is_some_and(|min| words < min) {
            Verdict::Under
        } else if self.max.is_some_and(|max| words > max) {
            Verdict::Over
        } else {
            Verdict::Within
        }
    }

    /// "2,250-2,750", "the 500-word maximum", "no word limit".
    pub fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("{}-{}", thousands(min), thousands(max)),
            (None, Some(max)) => format!("the {}-word maximum", thousands(max)),
            (Some(min), None) => format!("the {}-word minimum", thousands(min)),
            (None, None) => "no word limit".to_owned(),
        }
    }
}

/// The sentence shown with a count, such as
/// "2,480 words in the report and 700 in annexes: within 2,250-2,750".
/// `what` names the document ("the report", "the proposal").
pub fn summary(count: &WordCount, what: &str, limit: Option<&WordLimit>) -> String {
    let about = if count.approximate { "about " } else { "" };
    let noun = if count.words == 1 { "word" } else { "words" };
    let mut text = format!("{about}{} {noun} in {what}", thousands(count.words));
    if count.annex_words > 0 {
        text.push_str(&format!(" and {} in annexes", thousands(count.annex_words)));
    }
    if let Some(limit) = limit {
        let verdict = limit.verdict(count.words);
        let range = limit.describe();
        let tail = match (verdict, limit.min, limit.max) {
            (_, None, None) => ": there is no word limit".to_owned(),
            (Verdict::Under, Some(min), _) => {
                format!(": under {range} by {}", thousands(min - count.words))
            }
            (Verdict::Over, _, Some(max)) => {
                format!(": over {range} by {}", thousands(count.words - max))
            }
            _ => format!(": within {range}"),
        };
        text.push_str(&tail);
    }
    text
}

/// 2480 -> "2,480".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;

    fn count(words: u64, annex_words: u64) -> WordCount {
        WordCount {
            words,
            annex_words,
            format: FileKind::Docx,
            approximate: false,
            annex_heading: None,
        }
    }

    #[test]
    fn report_limit_is_inclusive_both_ends() {
        let limit = WordLimit::around(2500, 10);
        assert_eq!(
            limit,
            WordLimit {
                min: Some(2250),
                max: Some(2750)
            }
        );
        assert_eq!(limit.verdict(2249), Verdict::Under);
        assert_eq!(limit.verdict(2250), Verdict::Within);
        assert_eq!(limit.verdict(2750), Verdict::Within);
        assert_eq!(limit.verdict(2751), Verdict::Over);
        assert_eq!(WordLimit::at_most(500).verdict(0), Verdict::Within);
        assert_eq!(WordLimit::NONE.verdict(1_000_000), Verdict::Within);
    }

    #[test]
    fn sentences() {
        let report = WordLimit::around(2500, 10);
        assert_eq!(
            summary(&count(2480, 700), "the report", Some(&report)),
            "2,480 words in the report and 700 in annexes: within 2,250-2,750"
        );
        assert_eq!(
            summary(&count(2000, 0), "the report", Some(&report)),
            "2,000 words in the report: under 2,250-2,750 by 250"
        );
        assert_eq!(
            summary(
                &count(612, 0),
                "the proposal",
                Some(&WordLimit::at_most(500))
            ),
            "612 words in the proposal: over the 500-word maximum by 112"
        );
        assert_eq!(
            summary(&count(1, 0), "the synopsis", Some(&WordLimit::NONE)),
            "1 word in the synopsis: there is no word limit"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
