//! `epa wordcount FILE [--as report|proposal] [--plan ST0071 --epao tquk]`:
//! the words of a document, main text and annexes apart, and with `--as`
//! the verdict against the EPAO's word limit (ADR 0034).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use epa_app::documents::Purpose;
use epa_documents::{Limits, WordCount, WordLimit, check_and_count, summary};
use serde_json::{Value, json};

use super::exit::{json, unusable};
use super::selection::PlanSelection;

#[derive(Debug, clap::Args)]
pub struct WordcountArgs {
    /// The document: .docx, .odt, .pdf, .txt or .md.
    pub file: PathBuf,
    /// Check the count against this document's word limit in the EPAO policy.
    #[arg(long = "as", value_enum)]
    pub role: Option<Role>,
    #[command(flatten)]
    pub selection: PlanSelection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// The work-based project report.
    Report,
    /// The work-based project proposal (TQUK) or synopsis (Innovate).
    Proposal,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Proposal => "proposal",
        }
    }
}

pub fn run(args: WordcountArgs) -> ExitCode {
    quiet_expected_panics();
    let name = args.file.display().to_string();
    // Resolve the limit first: a bad --epao is reported without reading the file.
    let policy = match args.role {
        Some(role) => match policy_limit(role, &args.selection) {
            Ok(limit) => Some(limit),
            Err(reason) => return unusable(reason),
        },
        None => None,
    };
    let limits = Limits::default();
    let bytes = match read_bounded(&args.file, limits.max_input_bytes) {
        Ok(bytes) => bytes,
        Err(reason) => return unusable(format!("{name}: {reason}")),
    };
    // The name the user gave decides the expected type; the bytes must agree.
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.clone());
    let count = match check_and_count(&bytes, &file_name, &limits) {
        Ok((_, count)) => count,
        Err(err) => return unusable(format!("{name}: {err}")),
    };
    json(&output(&count, policy.as_ref()))
}

/// A word limit as the EPAO policy states it, with what it applies to.
struct PolicyLimit {
    limit: WordLimit,
    /// Annex words are left out of the comparison (the report), or not
    /// (TQUK's proposal states no such exclusion).
    excludes_annexes: bool,
    /// "the report", "the proposal", "the project synopsis".
    what: String,
    epao: Option<String>,
    note: Option<String>,
}

fn output(count: &WordCount, policy: Option<&PolicyLimit>) -> Value {
    let mut out = json!({
        "words": count.words,
        "annex_words": count.annex_words,
        "format": count.format.as_str(),
        "approximate": count.approximate,
        "annex_heading": count.annex_heading,
    });
    let Some(policy) = policy else {
        out["summary"] = json!(summary(count, "the document", None));
        return out;
    };
    // The verdict compares the words the limit counts.
    let counted = if policy.excludes_annexes {
        count.words
    } else {
        count.words + count.annex_words
    };
    let judged = WordCount {
        words: counted,
        annex_words: if policy.excludes_annexes {
            count.annex_words
        } else {
            0
        },
        ..count.clone()
    };
    out["limit"] = json!({"min": policy.limit.min, "max": policy.limit.max});
    out["verdict"] = json!(policy.limit.verdict(counted).as_str());
    out["counted_words"] = json!(counted);
    out["annexes_excluded"] = json!(policy.excludes_annexes);
    out["summary"] = json!(summary(&judged, &policy.what, Some(&policy.limit)));
    if let Some(epao) = &policy.epao {
        out["epao"] = json!(epao);
    }
    if let Some(note) = &policy.note {
        out["note"] = json!(note);
    }
    out
}

/// The limit for `role` under the selected plan and EPAO. Without
/// `--epao` the limit is used only when every EPAO of the plan agrees on
/// it (they do for the report; they do not for the proposal).
fn policy_limit(role: Role, selection: &PlanSelection) -> Result<PolicyLimit, String> {
    if selection.epao.is_some() {
        let plan = selection.load()?;
        return Ok(limit_of(role, &plan));
    }
    let catalog = selection.catalog()?;
    let plan = catalog
        .plan(&selection.plan, selection.plan_version.as_deref())
        .map_err(|e| e.to_string())?;
    let (reference, version) = (&plan.standard.reference, &plan.standard.version);
    let mut found: Vec<(String, PolicyLimit)> = Vec::new();
    for epao in catalog.epaos(reference, version) {
        let effective = catalog
            .effective(reference, Some(version), &epao)
            .map_err(|e| e.to_string())?;
        found.push((epao, limit_of(role, &effective)));
    }
    let Some((_, first)) = found.first() else {
        return Err(format!(
            "no EPAO policy is loaded for {reference} {version}; give --epao"
        ));
    };
    let agree = found
        .iter()
        .all(|(_, l)| l.limit == first.limit && l.excludes_annexes == first.excludes_annexes);
    if !agree {
        let each: Vec<String> = found
            .iter()
            .map(|(epao, l)| format!("{epao}: {}", l.limit.describe()))
            .collect();
        return Err(format!(
            "--as {} needs --epao: the EPAOs' limits differ ({})",
            role.as_str(),
            each.join("; ")
        ));
    }
    let (_, mut limit) = found.swap_remove(0);
    limit.epao = None;
    limit.what = format!("the {}", role.as_str());
    Ok(limit)
}

fn limit_of(role: Role, plan: &epa_plan::EffectivePlan) -> PolicyLimit {
    // The same reading of the policy as the upload routes': one function.
    let purpose = match role {
        Role::Report => Purpose::Report,
        Role::Proposal => Purpose::Proposal,
    };
    let stated = epa_app::documents::policy_limit(plan, purpose);
    let (limit, excludes_annexes, what) = match stated {
        Some(stated) => (stated.limit, stated.excludes_annexes, stated.what),
        None => (None, false, format!("the {}", role.as_str())),
    };
    PolicyLimit {
        // Innovate's synopsis: counting is still useful, nothing to judge.
        note: limit
            .is_none()
            .then(|| format!("{} sets no word limit on {what}", plan.epao_name)),
        limit: limit.unwrap_or(WordLimit::NONE),
        excludes_annexes,
        what,
        epao: Some(plan.epao.clone()),
    }
}

/// Reads at most `limit` bytes; a larger file is refused before it is read.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read it: {e}"))?;
    if meta.is_dir() {
        return Err("is a directory, not a document".to_owned());
    }
    if meta.len() > limit {
        return Err(format!(
            "the file is {} bytes, more than the {limit}-byte limit",
            meta.len()
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("the file is larger than the {limit}-byte limit"));
    }
    Ok(bytes)
}

/// PDF extraction runs on a thread where a panic is caught and reported as
/// a damaged file; the default hook would still print a backtrace. Any
/// other panic keeps the contract's one line on stderr.
fn quiet_expected_panics() {
    std::panic::set_hook(Box::new(|info| {
        if std::thread::current().name() == Some(epa_documents::PDF_THREAD_NAME) {
            return;
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("epa: internal error{at}");
    }));
}
