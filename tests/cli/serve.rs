//! `epa serve` and `epa migrate` as an operator meets them: the server comes
//! up on SQLite or PostgreSQL, answers its health checks, stops cleanly on
//! SIGTERM, and every start-up problem is one clear line and exit 2.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::epa;

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

/// Sends one HTTP/1.1 request; the status and body, or `None` while nothing answers.
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.unwrap_or("");
    request.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

pub(crate) fn http_status(port: u16, path: &str) -> Option<u16> {
    http(port, "GET", path, None, None).map(|(status, _)| status)
}

pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_with_env(args, &[])
    }

    /// [`Server::start`] with `env` added to the server's environment.
    pub(crate) fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_epa"))
            .arg("serve")
            .args(["--bind", &bind])
            .args(args)
            .env_remove("EPA_DATABASE_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start epa serve");
        let server = Server { child, port };
        let started = Instant::now();
        while http_status(port, "/healthz") != Some(200) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "epa serve did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Sends SIGTERM and returns the exit code.
    pub(crate) fn terminate(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "epa serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub(crate) fn assert_one_line(stderr: &str, needle: &str) {
    let lines: Vec<&str> = stderr.trim().lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {stderr}");
    assert!(lines[0].contains(needle), "{needle:?} not in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn serves_on_embedded_sqlite_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("epa-data");
    let data_arg = data.to_str().unwrap();
    let server = Server::start(&["--data-dir", data_arg]);
    assert_eq!(http_status(server.port, "/readyz"), Some(200));
    assert_eq!(server.terminate(), 0);
    assert!(
        data.join("epa.db").is_file(),
        "the database is created under --data-dir"
    );
}

#[test]
fn serves_on_postgres_when_a_server_is_configured() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(test_db) = runtime.block_on(epa_testkit::TestDb::postgres()) else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let url = test_db.url.clone();
    let server = Server::start(&["--database-url", &url]);
    assert_eq!(http_status(server.port, "/readyz"), Some(200));
    assert_eq!(server.terminate(), 0);
    runtime.block_on(test_db.finish());
}

#[test]
fn migrate_applies_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    for _ in 0..2 {
        let run = epa(&["migrate", "--data-dir", data.to_str().unwrap()], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("migrations applied"), "{}", run.stdout);
    }
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let run = epa(
        &[
            "serve",
            "--bind",
            &bind,
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, &format!("cannot listen on {bind}"));
}

#[test]
fn a_data_directory_that_cannot_be_made_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();

    let run = epa(&["migrate", "--data-dir", file.to_str().unwrap()], None);
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "is not a directory");

    let below = file.join("data");
    let run = epa(&["migrate", "--data-dir", below.to_str().unwrap()], None);
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "cannot create data directory");
}

#[test]
fn a_wrong_database_url_is_one_clear_line() {
    let run = epa(&["migrate", "--database-url", "mysql://db/epa"], None);
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "mysql://db/epa");

    // Nothing listens on port 1: refused at once, and the password is not shown.
    let run = epa(
        &[
            "serve",
            "--database-url",
            "postgres://epa:secret@127.0.0.1:1/epa",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert_one_line(
        &run.stderr,
        "cannot connect to database postgres://epa:***@127.0.0.1:1/epa",
    );
    assert!(!run.stderr.contains("secret"));
}

#[test]
fn bad_settings_stop_start_up_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("epa.toml");

    std::fs::write(&config, "bind = \"nowhere\"\n").unwrap();
    let run = epa(&["migrate", "--config", config.to_str().unwrap()], None);
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "bind");

    std::fs::write(&config, "colour = \"blue\"\n").unwrap();
    let run = epa(&["migrate", "--config", config.to_str().unwrap()], None);
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "colour");

    for hours in ["18:00-08:00", "9am-5pm", "08:00"] {
        std::fs::write(&config, format!("working_hours = \"{hours}\"\n")).unwrap();
        let run = epa(&["migrate", "--config", config.to_str().unwrap()], None);
        assert_eq!(run.code, 2, "{hours}");
        assert_one_line(&run.stderr, "working_hours");
    }

    for (settings, named) in [
        ("mail_transport = \"smtp\"\n", "smtp_host is not set"),
        ("mail_transport = \"pigeon\"\n", "allowed: file, smtp"),
        (
            "mail_transport = \"smtp\"\nsmtp_host = \"mail.example.org\"\nsmtp_security = \"ssl\"\n",
            "allowed: starttls, tls, none",
        ),
        (
            "mail_transport = \"smtp\"\nsmtp_host = \"mail.example.org\"\nsmtp_username = \"epa\"\n",
            "smtp_username is set without smtp_password",
        ),
        ("mail_from = \"not an address\"\n", "mail_from"),
        ("mail_max_attempts = 0\n", "mail_max_attempts"),
    ] {
        std::fs::write(&config, settings).unwrap();
        let run = epa(&["serve", "--config", config.to_str().unwrap()], None);
        assert_eq!(run.code, 2, "{settings}");
        assert_one_line(&run.stderr, named);
    }

    std::fs::write(&config, "log_format = \"xml\"\n").unwrap();
    let run = epa(&["serve", "--config", config.to_str().unwrap()], None);
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "allowed: text, json");

    let run = epa(
        &[
            "migrate",
            "--config",
            dir.path().join("missing.toml").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert_one_line(&run.stderr, "missing.toml does not exist");
}

#[test]
fn flags_override_the_environment_which_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("epa.toml");
    let from_file = dir.path().join("from-file");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", from_file.to_str().unwrap()),
    )
    .unwrap();

    let run = epa(&["migrate", "--config", config.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(from_file.join("epa.db").is_file());

    let from_flag = dir.path().join("from-flag");
    let run = epa(
        &[
            "migrate",
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            from_flag.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(from_flag.join("epa.db").is_file());

    let from_env = dir.path().join("from-env");
    let status = Command::new(env!("CARGO_BIN_EXE_epa"))
        .args(["migrate", "--config", config.to_str().unwrap()])
        .env("EPA_DATA_DIR", &from_env)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(from_env.join("epa.db").is_file());
    assert_no_database(&from_file.join("unused"));
}

fn assert_no_database(dir: &Path) {
    assert!(!dir.join("epa.db").exists());
}

#[test]
fn the_demo_loads_once_and_its_people_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo-data");
    let data_arg = data.to_str().unwrap();
    for _ in 0..2 {
        let server = Server::start(&["--data-dir", data_arg, "--demo"]);
        let (status, body) = http(
            server.port,
            "POST",
            "/api/v1/tokens",
            None,
            Some(r#"{"email": "operations@demo.test", "password": "demo"}"#),
        )
        .unwrap();
        assert_eq!(status, 201, "{body}");
        let token: serde_json::Value = serde_json::from_str(&body).unwrap();
        let token = token["token"].as_str().unwrap().to_owned();
        let (status, body) = http(
            server.port,
            "GET",
            "/api/v1/epas?limit=200",
            Some(&token),
            None,
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        // Loaded once: a restart with --demo does not load it again.
        assert_eq!(page["items"].as_array().unwrap().len(), 30);
        assert_eq!(server.terminate(), 0);
    }

    // Without --demo the demo password is refused, as any wrong password is.
    let server = Server::start(&["--data-dir", data_arg]);
    let (status, _) = http(
        server.port,
        "POST",
        "/api/v1/tokens",
        None,
        Some(r#"{"email": "operations@demo.test", "password": "demo"}"#),
    )
    .unwrap();
    assert_eq!(status, 401);
    assert_eq!(server.terminate(), 0);
}

#[test]
fn the_demo_delivers_its_emails_into_the_mail_directory_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo-data");
    let server = Server::start(&["--data-dir", data.to_str().unwrap(), "--demo"]);
    let mail = data.join("mail");
    let count = || {
        std::fs::read_dir(&mail).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        })
    };
    // The demo queues about 350 emails; all are delivered within seconds.
    let started = Instant::now();
    let mut delivered = count();
    while started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(250));
        let now = count();
        if now == delivered && now >= 300 {
            break;
        }
        delivered = now;
    }
    let delivered = count();
    eprintln!("{delivered} emails delivered in {:?}", started.elapsed());
    assert!(
        delivered >= 300,
        "only {delivered} emails in {}",
        mail.display()
    );
    let email = std::fs::read_dir(&mail)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|text| text.contains("method=REQUEST"))
        .expect("a booking's invite");
    assert!(email.contains("Content-Type: text/html"), "{email}");
    assert!(email.contains("filename=\"invite.ics\""), "{email}");
    assert_eq!(server.terminate(), 0);
}

#[test]
fn the_demo_refuses_a_database_with_other_people_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let data_arg = data.to_str().unwrap();
    let run = epa(
        &[
            "create-admin",
            "--email",
            "admin@example.org",
            "--name",
            "Ada Admin",
            "--data-dir",
            data_arg,
        ],
        Some("a long enough password\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = epa(
        &[
            "serve",
            "--data-dir",
            data_arg,
            "--demo",
            "--bind",
            "127.0.0.1:0",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--demo loads only into an empty database"),
        "{}",
        run.stderr
    );
}

/// A person with one web session that ended a day ago and one that is
/// live: the live one's id.
async fn sessions_ended_and_live(url: &str) -> String {
    let db = epa_store::Db::open(url).await.unwrap();
    let now = chrono::Utc::now();
    let mut tx = db.begin_write().await.unwrap();
    let user = epa_store::users::insert(&mut tx, "kept@epao.example", "Kit", None, now)
        .await
        .unwrap();
    let day = chrono::Duration::days(1);
    epa_store::web_sessions::create(&mut tx, user.id, now - day - day, now - day, false)
        .await
        .unwrap();
    let live = epa_store::web_sessions::create(&mut tx, user.id, now, now + day, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
    live
}

/// Whether the session `id` is still there and live.
async fn still_live(url: &str, id: &str) -> bool {
    let db = epa_store::Db::connect(url).await.unwrap();
    let now = chrono::Utc::now();
    let found = epa_store::web_sessions::live(&db, id, now, now - chrono::Duration::hours(1))
        .await
        .unwrap();
    db.close().await;
    found.is_some()
}

async fn web_sessions_left(url: &str) -> i64 {
    let db = epa_store::Db::connect(url).await.unwrap();
    let left = epa_testkit::scalar(&db, "SELECT COUNT(*) FROM web_sessions").await;
    db.close().await;
    left
}

#[test]
fn serve_forgets_ended_web_sessions_when_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("epa-data");
    let data_arg = data.to_str().unwrap();
    let url = format!("sqlite://{}", data.join("epa.db").display());
    assert_eq!(epa(&["migrate", "--data-dir", data_arg], None).code, 0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let live = runtime.block_on(sessions_ended_and_live(&url));
    assert_eq!(runtime.block_on(web_sessions_left(&url)), 2);

    let server = Server::start(&["--data-dir", data_arg]);
    let started = Instant::now();
    while runtime.block_on(web_sessions_left(&url)) != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the ended session is still there"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.terminate(), 0);
    assert_eq!(runtime.block_on(web_sessions_left(&url)), 1);
    assert!(
        runtime.block_on(still_live(&url, &live)),
        "the live one stays"
    );
}
