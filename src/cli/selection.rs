//! `--plan`, `--version`, `--epao` and `--plans-dir`: which plan and EPAO
//! policy a command runs under. Shared by every command that needs a plan.

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct PlanSelection {
    /// Standard reference of the plan.
    #[arg(long, default_value = "ST0071")]
    pub plan: String,
    /// Plan version (default: the newest loaded).
    #[arg(long = "version")]
    pub plan_version: Option<String>,
    /// EPAO policy, lower case (tquk, innovate).
    #[arg(long)]
    pub epao: Option<String>,
    /// Directory of extra plan and policy files, loaded beside the embedded ones.
    #[arg(long, env = "EPA_PLANS_DIR")]
    pub plans_dir: Option<PathBuf>,
}
