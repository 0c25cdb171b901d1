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

impl PlanSelection {
    /// The embedded plans, plus those under `--plans-dir` when given.
    pub fn catalog(&self) -> Result<epa_plan::Catalog, String> {
        match &self.plans_dir {
            None => Ok(epa_plan::Catalog::embedded()),
            Some(dir) => epa_plan::Catalog::with_dir(dir)
                .map_err(|errors| format!("--plans-dir {}: {errors}", dir.display())),
        }
    }

    /// The effective plan (plan + EPAO policy) these arguments select. The
    /// error is one sentence naming the offending value, for
    /// `exit::unusable`. `--epao` is required: the EPAOs' rules differ.
    pub fn load(&self) -> Result<epa_plan::EffectivePlan, String> {
        let catalog = self.catalog()?;
        let Some(epao) = self.epao.as_deref() else {
            return Err(format!(
                "--epao is required (EPAO policies differ); known EPAOs: {}",
                catalog.all_epaos().join(", ")
            ));
        };
        catalog
            .effective(&self.plan, self.plan_version.as_deref(), epao)
            .map_err(|e| e.to_string())
    }
}
