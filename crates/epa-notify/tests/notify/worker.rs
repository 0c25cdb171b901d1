//! The outbox worker: delivers, retries with backoff, gives up after the
//! configured tries, and two workers never send one message twice.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use epa_notify::mailer::{self, Mailer};
use epa_notify::{Worker, WorkerSettings};
use epa_store::Db;
use epa_store::outbox::{self, NewMessage, OutboxState};
use epa_testkit::FakeClock;

use crate::both;

fn clock() -> FakeClock {
    FakeClock::at(Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap())
}

fn settings(max_attempts: i32, batch: i64) -> WorkerSettings {
    let mut settings = WorkerSettings::new(mailer::mailbox("OpenEPA <epa@epao.example>").unwrap());
    settings.max_attempts = max_attempts;
    settings.batch = batch;
    settings
}

const INVITE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OpenEPA//Bookings//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:booking-1@openepa\r\nSEQUENCE:0\r\nDTSTAMP:20270301T090000Z\r\n\
DTSTART:20270329T090000Z\r\nDTEND:20270329T103000Z\r\nSUMMARY:EPA observation\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

async fn enqueue(db: &Db, clock: &FakeClock, n: usize, calendar: bool) {
    let mut tx = db.begin_write().await.unwrap();
    for i in 0..n {
        let recipient = format!("person{i}@example.org");
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                kind: "booking_booked",
                recipient: &recipient,
                subject: "EPA observation booked",
                body: "The observation is booked.",
                html: Some("<p>The observation is booked.</p>"),
                calendar: calendar.then_some(INVITE),
            },
            clock.now(),
        )
        .await
        .unwrap()
        .expect("written");
    }
    tx.commit().await.unwrap();
}

both!(
    delivers_every_due_message_with_its_html_and_invite,
    |db: Db| async move {
        let clock = clock();
        enqueue(&db, &clock, 3, true).await;
        let (mailer, sent) = Mailer::memory();
        let worker = Worker::new(db.clone(), mailer, Arc::new(clock.clone()), settings(3, 50));
        let round = worker.drain().await.unwrap();
        assert_eq!((round.claimed, round.sent), (3, 3));
        let sent = sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 3);
        let raw = &sent[0].raw;
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(raw.contains("Content-Type: text/html"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST"),
            "{raw}"
        );
        assert!(raw.contains("invite.ics"), "{raw}");
        assert!(raw.contains("From: OpenEPA <epa@epao.example>"), "{raw}");
        let stored = outbox::list(&db, OutboxState::Sent, None, 10)
            .await
            .unwrap();
        assert_eq!(stored.len(), 3);
        assert!(
            stored
                .iter()
                .all(|m| m.sent_at == Some(clock.now()) && m.attempts == 1)
        );
        // Nothing left to send.
        assert_eq!(worker.drain().await.unwrap().claimed, 0);
    }
);

both!(
    retries_with_backoff_then_gives_up_and_an_admin_can_retry,
    |db: Db| async move {
        let clock = clock();
        enqueue(&db, &clock, 1, false).await;
        // A mail directory that does not exist: every delivery fails.
        let gone = tempfile::tempdir().unwrap().path().join("missing");
        let worker = Worker::new(
            db.clone(),
            Mailer::File(gone),
            Arc::new(clock.clone()),
            settings(3, 50),
        );
        let first = worker.drain().await.unwrap();
        assert_eq!((first.claimed, first.retrying), (1, 1));
        let queued = outbox::list(&db, OutboxState::Queued, None, 10)
            .await
            .unwrap();
        assert_eq!(queued[0].attempts, 1);
        assert_eq!(
            queued[0].next_attempt_at,
            clock.now() + Duration::minutes(1)
        );
        assert!(
            queued[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("cannot write")
        );
        // Not due again before its backoff.
        clock.advance(Duration::seconds(59));
        assert_eq!(worker.drain().await.unwrap().claimed, 0);
        clock.advance(Duration::seconds(1));
        assert_eq!(worker.drain().await.unwrap().retrying, 1);
        // Two minutes after the second failure, the third and last try.
        clock.advance(Duration::minutes(2));
        let last = worker.drain().await.unwrap();
        assert_eq!((last.claimed, last.given_up), (1, 1));
        clock.advance(Duration::hours(24));
        assert_eq!(
            worker.drain().await.unwrap().claimed,
            0,
            "given up stays given up"
        );
        let failed = outbox::list(&db, OutboxState::Failed, None, 10)
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].attempts, 3);
        assert_eq!(failed[0].state(), OutboxState::Failed);

        // Retried by an admin: queued at once, and sent once the mail server is back.
        let mut tx = db.begin_write().await.unwrap();
        outbox::retry(&mut tx, failed[0].id, clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (mailer, sent) = Mailer::memory();
        let worker = Worker::new(db.clone(), mailer, Arc::new(clock.clone()), settings(3, 50));
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        assert_eq!(sent.lock().unwrap().len(), 1);
        assert!(
            outbox::list(&db, OutboxState::Failed, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

both!(
    two_workers_never_send_one_message_twice,
    |db: Db| async move {
        let clock = clock();
        enqueue(&db, &clock, 120, false).await;
        let (mailer, sent) = Mailer::memory();
        let one = Worker::new(
            db.clone(),
            mailer.clone(),
            Arc::new(clock.clone()),
            settings(3, 7),
        );
        let two = Worker::new(db.clone(), mailer, Arc::new(clock.clone()), settings(3, 7));
        let (a, b) = tokio::join!(
            tokio::spawn(async move { one.drain().await.unwrap() }),
            tokio::spawn(async move { two.drain().await.unwrap() }),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sent + b.sent, 120, "{a:?} {b:?}");
        let sent = sent.lock().unwrap().clone();
        let ids: BTreeSet<_> = sent.iter().map(|s| s.outbox_id).collect();
        assert_eq!(sent.len(), 120, "each message sent once");
        assert_eq!(ids.len(), 120);
    }
);

both!(
    a_claim_is_exclusive_until_its_lease_runs_out,
    |db: Db| async move {
        let clock = clock();
        enqueue(&db, &clock, 2, false).await;
        let first = uuid::Uuid::now_v7();
        let second = uuid::Uuid::now_v7();
        let lease = Duration::minutes(5);
        let held = outbox::claim(&db, first, clock.now(), lease, 10)
            .await
            .unwrap();
        assert_eq!(held.len(), 2);
        assert!(
            outbox::claim(&db, second, clock.now(), lease, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // The first worker died: after its lease another takes the messages,
        // and the first can no longer record them.
        clock.advance(lease);
        let taken = outbox::claim(&db, second, clock.now(), lease, 10)
            .await
            .unwrap();
        assert_eq!(taken.len(), 2);
        let both = [held[0].id, held[1].id];
        assert_eq!(
            outbox::mark_sent(&db, &both, first, clock.now())
                .await
                .unwrap(),
            0
        );
        // Of a list, only what the worker holds is recorded and counted.
        assert_eq!(
            outbox::mark_sent(&db, &[both[0], uuid::Uuid::now_v7()], second, clock.now())
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            outbox::mark_sent(&db, &both, second, clock.now())
                .await
                .unwrap(),
            1
        );
        // Recorded once: a second record of the same deliveries counts none.
        assert_eq!(
            outbox::mark_sent(&db, &both, second, clock.now())
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            outbox::mark_sent(&db, &[], second, clock.now())
                .await
                .unwrap(),
            0
        );
    }
);

/// A clock a second later at each reading: each record of deliveries as
/// sent carries a time of its own, so the records can be told apart.
struct Ticking(std::sync::atomic::AtomicI64);

impl epa_domain::Clock for Ticking {
    fn now(&self) -> chrono::DateTime<Utc> {
        let second = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        clock().now() + Duration::hours(1) + Duration::seconds(second)
    }
}

/// How many messages each record of deliveries held, in the order made.
async fn records(db: &Db) -> Vec<usize> {
    let sent = outbox::list(db, OutboxState::Sent, None, 100)
        .await
        .unwrap();
    let mut by_time = std::collections::BTreeMap::new();
    for message in &sent {
        assert_eq!(message.attempts, 1);
        *by_time.entry(message.sent_at.unwrap()).or_insert(0) += 1;
    }
    by_time.into_values().collect()
}

/// The round's claimed and sent, once nothing is left to send.
async fn deliver(db: &Db, settings: WorkerSettings) -> (usize, usize) {
    let (mailer, _) = Mailer::memory();
    let ticking = Arc::new(Ticking(std::sync::atomic::AtomicI64::new(0)));
    let worker = Worker::new(db.clone(), mailer, ticking, settings);
    let round = worker.drain().await.unwrap();
    assert_eq!(worker.drain().await.unwrap().claimed, 0, "all recorded");
    (round.claimed, round.sent)
}

both!(
    deliveries_are_recorded_ten_at_a_time_at_most,
    |db: Db| async move {
        enqueue(&db, &clock(), 7, false).await;
        let mut by_three = settings(3, 50);
        by_three.mark_every = 3;
        // However slowly the test runs, no record is made for waiting.
        by_three.mark_within = std::time::Duration::from_secs(3600);
        assert_eq!(deliver(&db, by_three).await, (7, 7));
        // Two full records, and the round's last of one.
        assert_eq!(records(&db).await, [3, 3, 1]);
    }
);

both!(
    deliveries_that_waited_are_recorded_before_the_next,
    |db: Db| async move {
        enqueue(&db, &clock(), 4, false).await;
        // No wait allowed: each is recorded before the next delivery.
        let mut at_once = settings(3, 50);
        at_once.mark_within = std::time::Duration::ZERO;
        assert_eq!(deliver(&db, at_once).await, (4, 4));
        assert_eq!(records(&db).await, [1, 1, 1, 1]);
    }
);

both!(
    deliveries_are_recorded_while_the_claim_holds,
    |db: Db| async move {
        enqueue(&db, &clock(), 3, false).await;
        // A claim already at its end, less a delivery: each delivery is
        // recorded before the next could outlast it.
        let mut ending = settings(3, 50);
        ending.lease = Duration::zero();
        ending.mark_within = std::time::Duration::from_secs(3600);
        assert_eq!(deliver(&db, ending).await, (3, 3));
        assert_eq!(records(&db).await, [1, 1, 1]);
    }
);

both!(
    deliveries_within_the_limits_are_recorded_together,
    |db: Db| async move {
        enqueue(&db, &clock(), 4, false).await;
        let mut relaxed = settings(3, 50);
        relaxed.mark_within = std::time::Duration::from_secs(3600);
        assert_eq!(deliver(&db, relaxed).await, (4, 4));
        assert_eq!(records(&db).await, [4]);
    }
);

/// A mail server that accepts every message (just enough SMTP for a
/// client) and keeps what it was sent.
async fn fake_smtp() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let keep = keep.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            keep.lock().unwrap().push(data.take().unwrap());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let command = line.to_ascii_uppercase();
                    let answer: &[u8] = if command.starts_with("EHLO") {
                        b"250-fake\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if command.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

fn smtp(port: u16) -> Mailer {
    Mailer::smtp(&epa_notify::SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port,
        security: epa_notify::Security::None,
        username: None,
        password: None,
        timeout: std::time::Duration::from_secs(5),
    })
    .unwrap()
}

both!(
    smtp_delivers_and_a_server_that_is_down_is_retried,
    |db: Db| async move {
        let clock = clock();
        enqueue(&db, &clock, 2, true).await;
        // Down: nothing listens on the port; the emails wait for another try.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let worker = Worker::new(
            db.clone(),
            smtp(port),
            Arc::new(clock.clone()),
            settings(3, 50),
        );
        let round = worker.drain().await.unwrap();
        assert_eq!((round.claimed, round.retrying), (2, 2), "{round:?}");
        let queued = outbox::list(&db, OutboxState::Queued, None, 10)
            .await
            .unwrap();
        assert!(
            queued[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("mail server"),
            "{queued:?}"
        );

        // Back up: delivered over SMTP.
        let (port, received) = fake_smtp().await;
        clock.advance(Duration::minutes(1));
        let worker = Worker::new(
            db.clone(),
            smtp(port),
            Arc::new(clock.clone()),
            settings(3, 50),
        );
        assert_eq!(worker.drain().await.unwrap().sent, 2);
        let received = received.lock().unwrap().clone();
        assert_eq!(received.len(), 2);
        assert!(received[0].contains("method=REQUEST"), "{}", received[0]);
        assert!(
            received[0].contains("Subject: EPA observation booked"),
            "{}",
            received[0]
        );
    }
);
