//! `epa dfe push` against the local stand-in of the DfE service, over the
//! demo: exit 2 for unusable settings (each naming its setting), a dry run
//! that sends nothing, exit 1 listing a refusal with the service's reasons,
//! and a second run that sends nothing.

use std::process::{Command, Stdio};

use epa_dfe::stand_in::{KnownLearner, StandIn};
use epa_store::Db;

use crate::support::Run;

const KEY: &str = "cli-stand-in-key";

/// Runs `epa dfe push` on `data` with the DfE settings in `env`.
fn push(data: &str, env: &[(&str, &str)], extra: &[&str]) -> Run {
    let mut args = vec!["dfe", "push", "--data-dir", data];
    args.extend_from_slice(extra);
    let mut command = Command::new(env!("CARGO_BIN_EXE_epa"));
    command
        .args(&args)
        .env_remove("EPA_PLANS_DIR")
        .env_remove("EPA_DFE_BASE_URL")
        .env_remove("EPA_DFE_SUBSCRIPTION_KEY")
        .env_remove("EPA_DFE_UKPRN")
        .env_remove("EPA_DFE_SANDBOX")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run epa");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn unusable_settings_exit_2_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    for (env, named) in [
        (vec![], "dfe.base_url"),
        (
            vec![("EPA_DFE_BASE_URL", "https://dfe.invalid")],
            "dfe.subscription_key",
        ),
        (
            vec![
                ("EPA_DFE_BASE_URL", "https://dfe.invalid"),
                ("EPA_DFE_SUBSCRIPTION_KEY", "k"),
            ],
            "dfe.ukprn",
        ),
        (
            vec![
                ("EPA_DFE_BASE_URL", "https://dfe.invalid"),
                ("EPA_DFE_SUBSCRIPTION_KEY", "k"),
                ("EPA_DFE_UKPRN", "1234"),
            ],
            "dfe.ukprn",
        ),
        (
            vec![
                ("EPA_DFE_BASE_URL", "not an address"),
                ("EPA_DFE_SUBSCRIPTION_KEY", "k"),
                ("EPA_DFE_UKPRN", "10012345"),
            ],
            "dfe.base_url",
        ),
        (
            vec![
                ("EPA_DFE_BASE_URL", "https://dfe.invalid"),
                ("EPA_DFE_SUBSCRIPTION_KEY", "k"),
                ("EPA_DFE_UKPRN", "10012345"),
                ("EPA_DFE_SANDBOX", "true"),
            ],
            "dfe.ukprn",
        ),
    ] {
        let run = push(data, &env, &[]);
        assert_eq!(run.code, 2, "{env:?}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{env:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
}

#[test]
fn a_push_lists_refusals_then_sends_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let loaded = crate::support::epa(
        &["demo", "load", "--apprentices", "0", "--data-dir", data],
        None,
    );
    assert_eq!(loaded.code, 0, "{}", loaded.stderr);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}/epa.db", data);
    let candidates = runtime.block_on(async {
        let db = Db::open(&url).await.unwrap();
        let candidates = epa_store::dfe::candidates(&db).await.unwrap();
        db.close().await;
        candidates
    });
    let server = runtime.block_on(StandIn::start(KEY, Vec::new())).unwrap();
    // The service holds one learner under another family name.
    // (The demo's own queue holds another, refused before.)
    let refused = candidates
        .iter()
        .find(|c| c.record.refused_at.is_none())
        .unwrap()
        .epa_id;
    for c in &candidates {
        server.add_learner(KnownLearner {
            uln: c.uln.parse().unwrap(),
            family_name: if c.epa_id == refused {
                "Somebody".to_owned()
            } else {
                c.family_name.clone()
            },
            standard_reference: c.standard_reference.clone(),
        });
    }
    let base_url = server.base_url();
    let env = [
        ("EPA_DFE_BASE_URL", base_url.as_str()),
        ("EPA_DFE_SUBSCRIPTION_KEY", KEY),
        ("EPA_DFE_UKPRN", "10012345"),
    ];

    // A dry run says what it would send, and sends nothing.
    // (Exit 1: the demo's own refusal is still there.)
    let dry = push(data, &env, &["--dry-run"]);
    assert_eq!(dry.code, 1, "{}{}", dry.stdout, dry.stderr);
    assert!(dry.stdout.contains("still refused epa"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("dry run, nothing sent"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("would send epa_record created"),
        "{}",
        dry.stdout
    );
    assert!(server.writes().is_empty());

    let first = push(data, &env, &[]);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains(&format!(
            "refused epa for EPA {refused}: ULN, FamilyName and Standard not found."
        )),
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains("sent submission submitted"),
        "{}",
        first.stdout
    );
    let writes = server.writes().len();
    assert!(writes > 0);

    // Nothing changed: nothing sent; the refusal is still listed.
    let second = push(data, &env, &["--json"]);
    assert_eq!(second.code, 1, "{}{}", second.stdout, second.stderr);
    assert_eq!(server.writes().len(), writes);
    let report = second.json();
    assert_eq!(report["sent"], serde_json::json!([]));
    let still = report["still_refused"].as_array().unwrap();
    let listed = still
        .iter()
        .find(|r| r["epa_id"] == refused.to_string())
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(
        listed["reasons"],
        serde_json::json!(["ULN, FamilyName and Standard not found."])
    );

    // A wrong key is the settings' fault: exit 2, naming it.
    let wrong = push(
        data,
        &[
            ("EPA_DFE_BASE_URL", base_url.as_str()),
            ("EPA_DFE_SUBSCRIPTION_KEY", "wrong"),
            ("EPA_DFE_UKPRN", "10012345"),
        ],
        &[],
    );
    // Nothing is due: the look-up every push starts with meets the refusal.
    assert_eq!(wrong.code, 2, "{}{}", wrong.stdout, wrong.stderr);
    assert!(
        wrong.stderr.contains("dfe.subscription_key"),
        "{}",
        wrong.stderr
    );

    let verified = crate::support::epa(&["audit", "verify", "--data-dir", data], None);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
}
