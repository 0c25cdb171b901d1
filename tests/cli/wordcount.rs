//! `epa wordcount`: the contract, on documents generated here.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use epa_documents::samples::{self, REPORT_ANNEX_WORDS, REPORT_WORDS};

use crate::support::{Run, epa};

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().expect("temp dir"))
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).expect("write sample");
        path
    }
}

fn wordcount(path: &std::path::Path, extra: &[&str]) -> Run {
    let path = path.to_str().expect("utf-8 path");
    let mut args = vec!["wordcount", path];
    args.extend_from_slice(extra);
    epa(&args, None)
}

/// Exit 2, one line on stderr naming the file, nothing on stdout.
fn assert_refused(run: &Run, name: &str, reason: &str) {
    assert_eq!(run.code, 2, "stdout: {} stderr: {}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(name), "{}", run.stderr);
    assert!(run.stderr.contains(reason), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn docx_prints_words_annex_words_and_format() {
    let dir = Dir::new();
    let path = dir.file("report.docx", &samples::report_docx());
    let run = wordcount(&path, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["words"], REPORT_WORDS);
    assert_eq!(out["annex_words"], REPORT_ANNEX_WORDS);
    assert_eq!(out["format"], "docx");
    assert!(out.get("verdict").is_none());
    assert!(out.get("limit").is_none());
}

#[test]
fn odt_txt_and_md_formats() {
    let dir = Dir::new();
    let odt = wordcount(&dir.file("report.odt", &samples::report_odt()), &[]).json();
    assert_eq!(
        (odt["words"].clone(), odt["format"].clone()),
        (REPORT_WORDS.into(), "odt".into())
    );
    assert_eq!(odt["annex_words"], REPORT_ANNEX_WORDS);

    let text = "Report\n\nWe saw that Annex A\nholds the data.\n\nAnnex A\n\nData rows here\n";
    let txt = wordcount(&dir.file("r.txt", text.as_bytes()), &[]).json();
    assert_eq!(
        (txt["words"].as_u64(), txt["annex_words"].as_u64()),
        (Some(9), Some(5))
    );
    assert_eq!(txt["format"], "txt");

    let md = "# Report\n\nSee Annex A.\n\n## Appendix A\n\nData\n";
    let md = wordcount(&dir.file("r.md", md.as_bytes()), &[]).json();
    assert_eq!(
        (md["words"].as_u64(), md["annex_words"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(md["format"], "md");
}

#[test]
fn pdf_is_best_effort_and_says_so() {
    let dir = Dir::new();
    let pdf = samples::pdf(&[
        "Project report on customer service",
        "Annex A: Survey",
        "Forty responses",
    ]);
    let run = wordcount(&dir.file("r.pdf", &pdf), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["format"], "pdf");
    assert_eq!(out["approximate"], true);
    assert_eq!(
        (out["words"].as_u64(), out["annex_words"].as_u64()),
        (Some(5), Some(5))
    );
}

/// Issue 10: a 2,500-word PDF report with a 250-word annex under a heading
/// of its own counts 2,500 and 250, and is judged on the 2,500.
#[test]
fn a_pdf_report_counts_its_annex_apart() {
    let dir = Dir::new();
    let pdf = samples::sized_pdf(2500, 250, "Appendix 1 Customer survey results");
    let path = dir.file("report.pdf", &pdf);
    let run = wordcount(&path, &["--as", "report"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["format"], "pdf");
    assert_eq!(
        (out["words"].as_u64(), out["annex_words"].as_u64()),
        (Some(2500), Some(250)),
        "{out}"
    );
    assert_eq!(out["verdict"], "within");
    // PDF figures are best effort, and the sentence says so.
    assert_eq!(out["approximate"], true);
    assert_eq!(
        out["summary"],
        "about 2,500 words in the report and 250 in annexes: within 2,250-2,750"
    );
}

#[test]
fn as_report_gives_the_limit_and_verdict_for_either_epao() {
    let dir = Dir::new();
    for (main, verdict) in [
        (2249, "under"),
        (2250, "within"),
        (2750, "within"),
        (2751, "over"),
    ] {
        let path = dir.file(&format!("r{main}.docx"), &samples::sized_docx(main, 700));
        for epao in [
            &[][..],
            &["--epao", "tquk"][..],
            &["--epao", "innovate"][..],
        ] {
            let mut args = vec!["--as", "report"];
            args.extend_from_slice(epao);
            let run = wordcount(&path, &args);
            assert_eq!(run.code, 0, "{}", run.stderr);
            let out = run.json();
            assert_eq!(out["words"], main, "{epao:?}");
            assert_eq!(out["annex_words"], 700);
            assert_eq!(out["limit"], serde_json::json!({"min": 2250, "max": 2750}));
            assert_eq!(out["verdict"], verdict, "{main} {epao:?}");
        }
    }
    let run = wordcount(
        &dir.file("ok.docx", &samples::sized_docx(2480, 700)),
        &["--as", "report"],
    );
    assert_eq!(
        run.json()["summary"],
        "2,480 words in the report and 700 in annexes: within 2,250-2,750"
    );
}

#[test]
fn as_proposal_uses_the_epao_limit() {
    let dir = Dir::new();
    let short = dir.file("p.docx", &samples::sized_docx(480, 0));
    let long = dir.file("q.docx", &samples::sized_docx(520, 0));

    let out = wordcount(
        &short,
        &["--as", "proposal", "--plan", "ST0071", "--epao", "tquk"],
    )
    .json();
    assert_eq!(out["limit"], serde_json::json!({"min": null, "max": 500}));
    assert_eq!(out["verdict"], "within");
    let out = wordcount(&long, &["--as", "proposal", "--epao", "tquk"]).json();
    assert_eq!(out["verdict"], "over");

    // Innovate sets no limit on its synopsis: still a count, and said so.
    let out = wordcount(&long, &["--as", "proposal", "--epao", "innovate"]).json();
    assert_eq!(out["limit"], serde_json::json!({"min": null, "max": null}));
    assert_eq!(out["verdict"], "within");
    assert!(
        out["note"].as_str().unwrap().contains("no word limit"),
        "{out}"
    );
}

#[test]
fn as_proposal_without_an_epao_is_refused_because_they_differ() {
    let dir = Dir::new();
    let path = dir.file("p.docx", &samples::sized_docx(100, 0));
    let run = wordcount(&path, &["--as", "proposal"]);
    assert_refused(&run, "--epao", "differ");
}

#[test]
fn unknown_epao_and_bad_role_are_usage_errors() {
    let dir = Dir::new();
    let path = dir.file("p.docx", &samples::sized_docx(100, 0));
    let run = wordcount(&path, &["--as", "report", "--epao", "nosuch"]);
    assert_refused(&run, "nosuch", "");
    let run = wordcount(&path, &["--as", "essay"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn damaged_misnamed_and_missing_files_are_refused_in_one_line() {
    let dir = Dir::new();
    let docx = samples::report_docx();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.docx", docx[..docx.len() / 2].to_vec(), "damaged"),
        (
            "picture.docx",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "PNG image",
        ),
        (
            "notes.docx",
            b"Only plain words here.\n".to_vec(),
            "plain text",
        ),
        ("word.pdf", docx.clone(), "Word document"),
        (
            "binary.txt",
            b"\0\x01\x02\x03\xff\xfe\0".to_vec(),
            "named .txt",
        ),
        ("empty.docx", Vec::new(), "empty"),
        ("slides.pptx", b"x".to_vec(), "not accepted"),
    ];
    for (name, bytes, reason) in cases {
        let run = wordcount(&dir.file(name, &bytes), &[]);
        assert_refused(&run, name, reason);
    }
    let missing = dir.0.path().join("missing.docx");
    assert_refused(&wordcount(&missing, &[]), "missing.docx", "cannot read");
}

#[test]
fn zip_bombs_and_traversal_names_are_refused_fast() {
    let dir = Dir::new();
    let cases = [
        ("bomb.docx", samples::zip_bomb(1 << 30, true), "zip bomb"),
        ("liar.docx", samples::zip_bomb(1 << 30, false), ""),
        (
            "escape.docx",
            samples::raw_zip(&[samples::RawEntry {
                name: "../../evil.xml",
                method: 0,
                data: b"x",
                crc: 0,
                declared_size: 1,
            }]),
            "outside the archive",
        ),
    ];
    for (name, bytes, reason) in cases {
        let path = dir.file(name, &bytes);
        let started = Instant::now();
        let run = wordcount(&path, &[]);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{name}: {:?}",
            started.elapsed()
        );
        assert_refused(&run, name, reason);
    }
}

#[test]
fn a_damaged_pdf_is_refused_without_a_backtrace() {
    let dir = Dir::new();
    let mut pdf = samples::pdf(&["Some words"]);
    pdf.truncate(70);
    let run = wordcount(&dir.file("broken.pdf", &pdf), &[]);
    assert_refused(&run, "broken.pdf", "");
}
