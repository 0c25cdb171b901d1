//! SQLite's one writer in this process: the turn its write transactions
//! take, and the commits they share (ADR 0169).
//!
//! A commit on WAL with `synchronous=FULL` appends the pages a transaction
//! changed to the log and waits for the disk to say they are on it. Each
//! write transaction paid both alone, in the writer's turn, while the
//! writers queued behind it waited: the same pages of the audit chain and
//! of the indexes' last leaves written again by every transaction, and a
//! flush of the disk each. So writers that come while a commit is still to
//! be made share it. The first of a group begins the SQLite transaction
//! (`BEGIN IMMEDIATE`) and works in it; each writer that takes the turn
//! while the group is open works in a savepoint of it, which its own
//! failure rolls back alone; and the group is committed once by a task
//! that queued for the turn when the first had finished, behind the
//! writers already waiting.
//! A transaction's `commit` returns when the group's commit has, with its
//! outcome: nothing is acknowledged before it is on the disk, and a group
//! whose commit fails fails every member.
//!
//! A writer that finds no one waiting has its group committed next, alone:
//! it waits for nothing it did not wait for before. Unless the group
//! committed before it held several transactions (ADR 0178): writes are
//! then coming in together, and its committer first lets the tasks the
//! runtime has ready run twice, so that the requests read from the network
//! meanwhile reach the turn ahead of it and share the commit.

use std::collections::HashMap;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{Executor, Sqlite};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::StoreError;
use crate::db::WAIT;
use crate::on_thread::{KeptOnThread, OnThread};

/// The audit chain's head (its last event's number and hash) as the
/// writer's connection sees it: as the open group or the last commit left
/// it. A hint that saves reading it, which `audit::append` checks in its
/// insert (a stale one costs the read).
pub(crate) type AuditHead = Option<(i64, String)>;

/// What the turn to write on one SQLite file holds between writers.
#[derive(Default)]
pub(crate) struct Turn {
    head: AuditHead,
    group: Option<Group>,
    /// The number the next group is known by.
    next_group: u64,
    /// How many transactions the last group whose commit was tried held:
    /// more than one, and writes are coming in together, so the next
    /// group's committer waits for those on their way (see
    /// [`commit_in_turn`]).
    last_group: usize,
}

/// An open SQLite transaction holding the work of writers that wait for
/// its commit. Dropped unsettled (a task ended half way through a
/// statement on it), its connection is closed, which rolls the
/// transaction back, and its members are told so.
struct Group {
    /// Its connection as driven from the requests' threads: dropped before
    /// the connection is closed (declared first, it is also dropped first).
    on_thread: Option<OnThread>,
    /// Where the database keeps it between groups.
    kept: Arc<KeptOnThread>,
    /// Taken out only when the group is settled and its connection goes
    /// on clean.
    conn: Option<PoolConnection<Sqlite>>,
    /// The pool it came from, to know whether it is closing.
    pool: SqlitePool,
    id: u64,
    outcome: watch::Sender<Option<Outcome>>,
    /// Whether the first member has finished, in no savepoint: the next
    /// member proves the transaction still open before it begins (see
    /// [`Member::begin`]).
    to_prove: bool,
    /// Whether the last member to finish left its savepoint open: the
    /// next member releases it as it begins its own, and the commit
    /// releases it with the transaction (see [`finish`]).
    released_late: bool,
    /// How many writers' work it holds.
    members: usize,
    /// How many of those were transactions, which requests wait on (not
    /// the one statements of `Writer`: the outbox worker's marks, a
    /// session seen).
    transactions: usize,
    /// Whether a statement sent to sqlx's thread on its connection has not
    /// been answered with success (see [`Member::on_thread`]). The group's,
    /// not a member's: a member may go on after a failure it expected and
    /// finish, and the next member's savepoint must wait for that thread
    /// too.
    sqlx_unsettled: bool,
    settled: bool,
}

/// How a group's commit ended; `Err` carries the database's message.
type Outcome = Result<(), Arc<str>>;

impl Group {
    fn new(conn: PoolConnection<Sqlite>, writer: &WriterPool, id: u64) -> Group {
        Group {
            on_thread: None,
            kept: Arc::clone(&writer.kept),
            conn: Some(conn),
            pool: writer.pool.clone(),
            id,
            outcome: watch::channel(None).0,
            to_prove: false,
            released_late: false,
            members: 0,
            transactions: 0,
            sqlx_unsettled: false,
            settled: false,
        }
    }

    fn conn(&mut self) -> &mut PoolConnection<Sqlite> {
        self.conn
            .as_mut()
            .expect("a group holds its connection until it is settled")
    }

    /// Its connection, clean, for the next group or the pool; what drives
    /// it from the requests' threads is kept for the next group, unless the
    /// pool is closing, which closes the connection.
    fn settle(mut self, outcome: Outcome) -> Option<PoolConnection<Sqlite>> {
        self.settled = true;
        self.outcome.send_replace(Some(outcome));
        let on_thread = self.on_thread.take();
        // Under the lock `Db::close` marks the pool closed under: either
        // it finds this kept, or this finds the pool closed and drops it,
        // before the connection goes back to the pool that closes it.
        let closing = {
            let mut kept = lock(&self.kept);
            if self.pool.is_closed() {
                on_thread
            } else {
                *kept = on_thread;
                None
            }
        };
        drop(closing);
        self.conn.take()
    }

    /// Closes its connection when it goes, having finalised what was
    /// prepared on it from the requests' threads.
    fn close_on_drop(&mut self) {
        self.on_thread = None;
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }

    /// The connection as driven from the requests' threads, unless sqlx's
    /// thread may still be at work on it.
    fn on_thread(&self) -> Option<&OnThread> {
        self.on_thread.as_ref().filter(|_| !self.sqlx_unsettled)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !self.settled {
            self.close_on_drop();
            self.outcome.send_replace(Some(Err(Arc::from(
                "the write was interrupted, and may or may not have been committed",
            ))));
        }
    }
}

/// The pool a process's writes on one SQLite file begin on, with where its
/// one connection's statements prepared from the requests' threads are
/// kept between groups (see [`crate::on_thread`]).
#[derive(Clone)]
pub(crate) struct WriterPool {
    pub(crate) kept: Arc<KeptOnThread>,
    pub(crate) pool: SqlitePool,
}

/// The turn to write on one SQLite file, shared by every pool this process
/// opens on it. SQLite lets one writer in at a time; a writer that finds
/// the lock taken polls in its busy handler, sleeping up to 100 ms between
/// tries, so under concurrent writes most of the time went to sleeping
/// while the lock was free. Waiting here instead hands the turn on in
/// order the moment the previous writer is done. Other processes (the
/// command line) still meet the busy handler, as before.
pub(crate) fn turn_of(pool: &SqlitePool) -> Arc<Mutex<Turn>> {
    static TURNS: OnceLock<std::sync::Mutex<HashMap<PathBuf, Arc<Mutex<Turn>>>>> = OnceLock::new();
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut turns = TURNS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(turns.entry(file).or_default())
}

/// This process's turn to write on the pool's file. Waiting longer than
/// for a connection is answered alike.
async fn take_turn(pool: &SqlitePool) -> Result<OwnedMutexGuard<Turn>, sqlx::Error> {
    tokio::time::timeout(WAIT, turn_of(pool).lock_owned())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)
}

/// Runs `work` to its end even if the request awaiting it is dropped: a
/// statement on a group's connection dropped half way would leave the
/// group in an unknown state, which fails all its members.
async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::spawn(work)
        .await
        .map_err(|err| write_failed(format!("the write's task ended: {err}")))?
}

/// The writer's connection in this process's turn to write, for one
/// statement outside a transaction (used through `on_writer!`): the
/// outbox's claims and marks, the DfE push's lease, a session seen,
/// housekeeping. It is a member of a group like any transaction, so it
/// shares the commit of the writes around it, and is answered only once
/// that commit is on the disk. Such statements used to commit the open
/// group first and then commit alone: each of the three emails a booking
/// queues, marked sent by the outbox's worker, cut the bookings' group
/// short and made a flush of the disk of its own (ADR 0170).
pub(crate) struct Writer {
    member: Member,
}

impl Writer {
    pub(crate) async fn take(writer: &WriterPool) -> Result<Writer, StoreError> {
        Ok(Writer {
            member: Member::begin(writer).await?,
        })
    }

    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.member
    }

    /// See [`Member::sqlx_sent`].
    pub(crate) fn sqlx_sent(&mut self) {
        self.member.sqlx_sent();
    }

    /// See [`Member::sqlx_done`].
    pub(crate) fn sqlx_done(&mut self) {
        self.member.sqlx_done();
    }

    /// Puts the statement's work into its group and returns when the group
    /// is committed. Dropped instead, its work is rolled back.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.member.put(None, false).await
    }
}

/// One write transaction's hold on the writer: the turn, and the group its
/// work goes into, with the group's connection.
pub struct Member {
    held: Option<Held>,
}

struct Held {
    turn: OwnedMutexGuard<Turn>,
    group: Group,
    /// Whether this transaction began the group (in no savepoint), or
    /// works in a savepoint after another's.
    first: bool,
}

impl Member {
    /// Takes the turn and begins: in a savepoint of the open group, or as
    /// the first of a new one.
    ///
    /// The first member works in the transaction itself: a failure
    /// rolls back the whole group, which holds nothing else yet. Each
    /// later member works in a savepoint named `member`, released when
    /// the next member begins or the group commits. Inside a savepoint
    /// SQLite keeps the original of every page the member changes, and
    /// spills them to a temporary file past 64 KB: a booking opened,
    /// wrote and deleted one (ADR 0170), and the loader's large
    /// transactions copied every page they changed. So a write made alone
    /// keeps no such copies.
    ///
    /// Before a member begins its savepoint, the group's transaction is
    /// proved still open: SQLite rolls a whole transaction back on some
    /// errors (a full disk, an I/O error), and a savepoint begun outside
    /// one would begin a transaction of its own, committed on its
    /// release, outside the group. The release of the member before
    /// proves it (sent with this member's savepoint, or made by its
    /// rollback); after the first, SQLite is asked. Both are made from
    /// the request's thread ([`join_here`]), or on sqlx's thread when a
    /// statement sent there is still unanswered ([`join_on_sqlx`]).
    pub(crate) async fn begin(writer: &WriterPool) -> Result<Member, StoreError> {
        let writer = writer.clone();
        to_the_end(async move {
            let mut turn = take_turn(&writer.pool).await?;
            let open = turn.group.take();
            let held = match open {
                Some(mut group) => {
                    let begun = match group.on_thread() {
                        Some(conn) => join_here(conn, group.to_prove, group.released_late),
                        None => join_on_sqlx(&mut group).await,
                    };
                    if let Err(err) = begun {
                        fail(&mut turn, group, &err).await;
                        return Err(err);
                    }
                    group.to_prove = false;
                    group.released_late = false;
                    Held {
                        turn,
                        group,
                        first: false,
                    }
                }
                None => Held {
                    group: begin_group(&writer, &mut turn).await?,
                    turn,
                    first: true,
                },
            };
            Ok(Member { held: Some(held) })
        })
        .await
    }

    /// The group's connection as driven from the request's thread (see
    /// [`crate::on_thread`]), unless a statement sent to sqlx's thread in
    /// the group was not answered with success: sqlx answers a failure
    /// before its thread has finished with the statement (it resets it and
    /// reads its error after), and a statement whose answer was not awaited
    /// may still run. From then on the group's statements go to that
    /// thread, in order, behind it, this member's and the next's, until
    /// one is answered with success.
    pub(crate) fn on_thread(&self) -> Option<&OnThread> {
        self.held.as_ref().and_then(|held| held.group.on_thread())
    }

    /// Notes that a statement is sent to sqlx's thread (see
    /// [`Member::on_thread`]): until [`Member::sqlx_done`], none runs from
    /// the request's thread.
    pub(crate) fn sqlx_sent(&mut self) {
        if let Some(held) = self.held.as_mut() {
            held.group.sqlx_unsettled = true;
        }
    }

    /// Notes that sqlx's thread answered the statement with success, and
    /// so is done with it.
    pub(crate) fn sqlx_done(&mut self) {
        if let Some(held) = self.held.as_mut() {
            held.group.sqlx_unsettled = false;
        }
    }

    /// The audit chain's head as the writer's connection sees it.
    pub(crate) fn audit_head(&self) -> AuditHead {
        self.held.as_ref().and_then(|held| held.turn.head.clone())
    }

    /// Puts this transaction's work into its group, hands the turn on, and
    /// returns when the group is committed, with its outcome. `head` is the
    /// audit chain's head as this transaction left it, if it appended.
    pub(crate) async fn commit(self, head: AuditHead) -> Result<(), StoreError> {
        self.put(head, true).await
    }

    /// [`Member::commit`], for a transaction or (not `transaction`) a
    /// [`Writer`]'s one statement.
    async fn put(mut self, head: AuditHead, transaction: bool) -> Result<(), StoreError> {
        let Some(held) = self.held.take() else {
            return Ok(());
        };
        let mut done = to_the_end(finish(held, head, transaction)).await?;
        let outcome = match done.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            // A group's sender settles it before it goes.
            Err(_) => None,
        };
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(message)) => Err(write_failed(message)),
            None => Err(write_failed("the write's group ended without an outcome")),
        }
    }

    /// Before this transaction has written anything: commits the group it
    /// joined, and goes on as the first of a new one, so that what it reads
    /// next is committed. Answers whether there was a group to commit.
    /// For a transaction that must not act on the group's work before the
    /// group is durable (a repeat of an idempotent request, which replays
    /// the answer of a write in the group).
    /// On an error the transaction is void: it must only be dropped.
    pub(crate) async fn begin_alone(&mut self) -> Result<bool, StoreError> {
        let held = match self.held.take() {
            Some(held) if !held.first => held,
            kept => {
                self.held = kept;
                return Ok(false);
            }
        };
        *self = to_the_end(async move {
            let Held {
                mut turn,
                mut group,
                ..
            } = held;
            // The new group begins on the pool this one came from (the
            // group's, which a transaction of another database opened on
            // the same file may have joined).
            let writer = WriterPool {
                pool: group.pool.clone(),
                kept: Arc::clone(&group.kept),
            };
            if let Err(err) = group
                .conn()
                .execute("ROLLBACK TO member; RELEASE member")
                .await
            {
                fail(&mut turn, group, &err).await;
                return Err(err.into());
            }
            if let Some(conn) = commit(&mut turn, group).await {
                // Back to the pool, which gives it to the new group.
                drop(conn);
            }
            Ok(Member {
                held: Some(Held {
                    group: begin_group(&writer, &mut turn).await?,
                    turn,
                    first: true,
                }),
            })
        })
        .await?;
        Ok(true)
    }

    fn held(&self) -> &Held {
        self.held
            .as_ref()
            .expect("a transaction holds the writer until it commits or is dropped")
    }

    fn held_mut(&mut self) -> &mut Held {
        self.held
            .as_mut()
            .expect("a transaction holds the writer until it commits or is dropped")
    }
}

impl Deref for Member {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.held()
            .group
            .conn
            .as_ref()
            .expect("a group holds its connection until it is settled")
    }
}

impl DerefMut for Member {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.held_mut().group.conn()
    }
}

/// A transaction dropped without a commit rolls back its own work only:
/// its savepoint, or the group it began (no one joins a group before its
/// first has finished). The turn is held until that is done, by a task,
/// since a drop cannot wait.
impl Drop for Member {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(roll_back(held));
            }
            // Never in the product, where every transaction lives in a
            // task: the group is dropped unsettled, as sqlx drops a
            // transaction outside a runtime.
            Err(_) => drop(held),
        }
    }
}

/// A new group on a connection from the pool. The connection is in the
/// group before `BEGIN` is sent, so that if this is dropped half way the
/// connection is closed rather than given back inside a transaction.
///
/// The group drives its connection from the requests' threads too (see
/// [`crate::on_thread`]): with what the database kept from the group
/// before, or, the first time (and after a group closed the connection),
/// made anew, the round trip to ask sqlx's thread for its handle.
/// `BEGIN IMMEDIATE` stays on sqlx's thread: it may wait for another
/// process's write (the busy timeout), which a request's thread must not.
async fn begin_group(writer: &WriterPool, turn: &mut Turn) -> Result<Group, StoreError> {
    let mut group = Group::new(writer.pool.acquire().await?, writer, turn.next_group);
    turn.next_group += 1;
    let kept = lock(&writer.kept).take();
    let on_thread = match kept {
        Some(kept) => kept,
        None => {
            let handle = group.conn().lock_handle().await?.as_raw_handle();
            // Safety: the handle is the open connection's, opened
            // serialized (`Db::connect_sqlite`, checked by `new`). What
            // drives it is dropped before the connection is closed: by
            // the group that closes it (`Group::close_on_drop`), and
            // otherwise kept only while the pool is open
            // (`Group::settle`), by the database, which drops it before
            // its pool (`SqliteDb`, `Db::close`).
            #[allow(unsafe_code)]
            unsafe {
                OnThread::new(handle)?
            }
        }
    };
    group.on_thread = Some(on_thread);
    match group.conn().execute("BEGIN IMMEDIATE").await {
        Ok(_) => Ok(group),
        // Refused (another process holding the lock past the busy
        // timeout): the group is dropped unsettled, which closes the
        // connection rather than give it back in a state not known.
        Err(err) => {
            past_failure(group.conn()).await;
            Err(err.into())
        }
    }
}

/// Waits until sqlx's thread is done with the statement that has just
/// failed on `conn`: it answers a failure before it has reset the
/// statement and read its error, which a call from this thread (the
/// finalising of what was prepared here, before the connection closes)
/// could free under it. Its next answer comes after.
async fn past_failure(conn: &mut SqliteConnection) {
    let _ = sqlx::Connection::ping(conn).await;
}

/// The kept connection, whole whatever a panicking holder did.
fn lock(kept: &KeptOnThread) -> std::sync::MutexGuard<'_, Option<OnThread>> {
    kept.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A member's end: its savepoint left open for the next member or the
/// commit to release (the first has none), the group put back in the
/// turn, and, if this is the group's first, its committer set waiting for
/// the turn behind the writers already waiting (and, when writes come in
/// together, those on their way: see [`commit_in_turn`]). A transaction
/// counts towards whether they do; a [`Writer`]'s one statement does not.
/// Answers where to await the outcome.
async fn finish(
    held: Held,
    head: AuditHead,
    transaction: bool,
) -> Result<watch::Receiver<Option<Outcome>>, StoreError> {
    let Held {
        mut turn,
        mut group,
        first,
        ..
    } = held;
    // A member after the first leaves its savepoint to be released by the
    // next one's begin, or by the commit (which ends every savepoint with
    // the transaction): a round trip fewer for each. Its work is in the
    // group either way; a later member's failure rolls back to that
    // member's own savepoint only.
    if first {
        group.to_prove = true;
    } else {
        group.released_late = true;
    }
    if head.is_some() {
        turn.head = head;
    }
    group.members += 1;
    group.transactions += usize::from(transaction);
    let done = group.outcome.subscribe();
    let id = group.id;
    turn.group = Some(group);
    if first {
        let mutex = Arc::clone(OwnedMutexGuard::mutex(&turn));
        tokio::spawn(commit_in_turn(mutex, id, turn.last_group > 1));
    }
    Ok(done)
}

/// A member joins the open group from the request's thread: its savepoint
/// is SQLite's work in memory, not worth a round trip to sqlx's thread
/// and back. The group's transaction is proved still open by asking
/// SQLite whether the connection is in one (`sqlite3_get_autocommit`).
fn join_here(conn: &OnThread, to_prove: bool, released_late: bool) -> Result<(), StoreError> {
    if to_prove && !conn.in_transaction() {
        return Err(lost());
    }
    if released_late {
        conn.execute("RELEASE member", &[])?;
    }
    conn.execute("SAVEPOINT member", &[])?;
    Ok(())
}

/// A member joins the open group on sqlx's thread, behind a statement it
/// answered with a failure (see [`Member::on_thread`]). Proved still open
/// with `BEGIN`, which SQLite refuses inside a transaction, and only
/// there: accepted, it found the transaction rolled back (and began
/// another, which `fail` rolls back). Its success, like any, means that
/// thread is done with what came before.
async fn join_on_sqlx(group: &mut Group) -> Result<(), StoreError> {
    if group.to_prove {
        match group.conn().execute("BEGIN").await {
            Err(sqlx::Error::Database(err))
                if err
                    .message()
                    .contains("cannot start a transaction within a transaction") => {}
            Err(err) => return Err(err.into()),
            Ok(_) => return Err(lost()),
        }
    }
    let savepoint = match group.released_late {
        true => "RELEASE member; SAVEPOINT member",
        false => "SAVEPOINT member",
    };
    group.conn().execute(savepoint).await?;
    group.sqlx_unsettled = false;
    Ok(())
}

/// The group's transaction gone: SQLite rolls a whole transaction back
/// on some errors (a full disk, an I/O error).
fn lost() -> StoreError {
    write_failed("the group's transaction was rolled back by the database")
}

/// A write that failed in the writer rather than in a statement, as the
/// database's error its caller reports.
fn write_failed(message: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Io(std::io::Error::other(message.to_string())))
}

async fn roll_back(held: Held) {
    let Held {
        mut turn,
        mut group,
        first,
        ..
    } = held;
    if first {
        // Its own group: nobody else's work is in it. If the rollback
        // fails the group is dropped unsettled, which closes the
        // connection rather than give it back in a transaction.
        if group.conn().execute("ROLLBACK").await.is_ok() {
            drop(group.settle(Err(Arc::from("rolled back"))));
        } else {
            past_failure(group.conn()).await;
        }
        return;
    }
    match group
        .conn()
        .execute("ROLLBACK TO member; RELEASE member")
        .await
    {
        Ok(_) => {
            group.sqlx_unsettled = false;
            turn.group = Some(group);
        }
        // The savepoint is gone with the transaction: SQLite rolled it
        // all back (see `Member::begin`).
        Err(err) => fail(&mut turn, group, &err).await,
    }
}

/// How many times a committer lets the runtime's ready tasks run before it
/// queues for the turn, when writes are coming in together. Tokio runs a
/// task that yielded again once it has run what it had ready and looked
/// for I/O (or after 61 other polls at the latest); the committer, woken
/// then, ran ahead of the requests that look had just woken, so one pass
/// left the commits as many. Two cut them by a fifth to two fifths, four
/// or eight by no more (ADR 0178).
const PASSES_FOR_THOSE_ON_THEIR_WAY: usize = 2;

/// Waits for the turn and commits group `id` unless it is settled already
/// (a repeat of an idempotent request commits the group it finds). When
/// `together` (the group before held several transactions), it first lets
/// the runtime run what it has ready, so that writes on their way join
/// this group rather than wait for its commit and make the next. Tokio
/// does not promise when a task that yielded runs again: nothing but the
/// size of the groups rests on it. After a group of one transaction the
/// committer queues at once: one client writing one request after another
/// waits for nothing more.
async fn commit_in_turn(mutex: Arc<Mutex<Turn>>, id: u64, together: bool) {
    if together {
        for _ in 0..PASSES_FOR_THOSE_ON_THEIR_WAY {
            tokio::task::yield_now().await;
        }
    }
    let mut turn = mutex.lock_owned().await;
    if turn.group.as_ref().is_some_and(|group| group.id == id)
        && let Some(group) = turn.group.take()
    {
        drop(commit(&mut turn, group).await);
    }
}

/// Commits the group and tells its members; gives back its connection,
/// unless the commit failed.
async fn commit(turn: &mut Turn, mut group: Group) -> Option<PoolConnection<Sqlite>> {
    turn.last_group = group.transactions;
    match group.conn().execute("COMMIT").await {
        Ok(_) => group.settle(Ok(())),
        Err(err) => {
            fail(turn, group, &err).await;
            None
        }
    }
}

/// Ends a group that cannot be committed: rolls it back, closes its
/// connection (the next writer opens another, in a known state), forgets
/// the audit head it had, and tells every member.
async fn fail(turn: &mut Turn, mut group: Group, err: &(dyn std::fmt::Display + Sync)) {
    tracing::error!(error = %err, members = group.members, "a group of writes could not be committed");
    if group.conn().execute("ROLLBACK").await.is_err() {
        past_failure(group.conn()).await;
    }
    group.close_on_drop();
    turn.head = None;
    drop(group.settle(Err(Arc::from(format!(
        "the write could not be committed: {err}"
    )))));
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::OnceLock;
    use std::time::Duration;

    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    use crate::direct::Arg;
    use crate::{Db, StoreError, Tx};

    /// A file with a table the tests write to, whose `parent` must name a
    /// row of it.
    async fn probe() -> (tempfile::TempDir, Db) {
        let (dir, db) = crate::db::scratch_sqlite().await;
        sqlx::query(
            "CREATE TABLE probe (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES probe (id))",
        )
        .execute(db.as_sqlite().pool())
        .await
        .unwrap();
        (dir, db)
    }

    async fn insert(tx: &mut Tx, id: i64, parent: Option<i64>) {
        on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO probe (id, parent) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(parent)
        .execute(conn)
        .await
        .map(|_| ()))
        .unwrap();
    }

    /// [`insert`] from the request's thread (ADR 0176), in the same
    /// transaction.
    fn insert_here(tx: &mut Tx, id: i64, parent: Option<i64>) {
        let parent = parent.map_or(Arg::Null, Arg::Int);
        tx.on_thread()
            .expect("a write on SQLite drives its connection from its own thread")
            .execute(
                "INSERT INTO probe (id, parent) VALUES ($1, $2)",
                &[Arg::Int(id), parent],
            )
            .unwrap();
    }

    /// A statement that fails on sqlx's thread: row 1 is there already.
    async fn insert_1_again(tx: &mut Tx) {
        let repeated = on_tx!(tx, |conn| sqlx::query("INSERT INTO probe (id) VALUES (1)")
            .execute(conn)
            .await
            .map(|_| ()));
        assert!(repeated.is_err(), "row 1 is there already");
    }

    async fn run(tx: &mut Tx, sql: &str) {
        on_tx!(tx, |conn| sqlx::query(sql).execute(conn).await.map(|_| ())).unwrap();
    }

    /// `work`'s output, which a test must not wait for for ever.
    async fn within<T>(work: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), work)
            .await
            .expect("an answer within 10 s")
    }

    /// The rows committed, as a reader sees them.
    async fn committed(db: &Db) -> Vec<i64> {
        on_db!(db, |conn| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM probe ORDER BY id"
        )
        .fetch_all(conn)
        .await)
        .unwrap()
    }

    /// Where the second writer of [`two_writers`] stops, once it has the
    /// turn and has worked, until the test lets it go on.
    struct Cue {
        worked: oneshot::Sender<()>,
        go: oneshot::Receiver<()>,
    }

    impl Cue {
        async fn stop(self) {
            self.worked.send(()).unwrap();
            self.go.await.unwrap();
        }
    }

    /// Two writers in one group: the first (given, having worked) finishes
    /// while `second` waits for the turn, and `second` runs in its place
    /// up to its cue. Answers the first's commit, the second's task, and
    /// the sender that lets the second go on.
    async fn two_writers<T, W>(
        db: &Db,
        first: Tx,
        second: impl FnOnce(Db, Cue) -> W,
    ) -> (
        JoinHandle<Result<(), StoreError>>,
        JoinHandle<T>,
        oneshot::Sender<()>,
    )
    where
        W: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (worked, has_worked) = oneshot::channel();
        let (go, may_go) = oneshot::channel();
        let second = tokio::spawn(second(db.clone(), Cue { worked, go: may_go }));
        // The second queues for the turn before the first finishes.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let first = tokio::spawn(first.commit());
        within(has_worked).await.unwrap();
        (first, second, go)
    }

    /// A file, and a write begun on it that inserted row 1.
    async fn first_writer() -> (tempfile::TempDir, Db, Tx) {
        let (dir, db) = probe().await;
        let mut first = db.begin_write().await.unwrap();
        insert(&mut first, 1, None).await;
        (dir, db, first)
    }

    /// A write that inserts row `id` and commits, with nobody waiting:
    /// the writer goes on after what a test did to it.
    async fn write_alone(db: &Db, id: i64, parent: Option<i64>) {
        let mut tx = db.begin_write().await.unwrap();
        insert(&mut tx, id, parent).await;
        tx.commit().await.unwrap();
    }

    /// A second writer that inserts row 2, a child of the first's row,
    /// and commits when let go.
    async fn second_commits(db: Db, cue: Cue) -> Result<(), StoreError> {
        let mut tx = db.begin_write().await.unwrap();
        insert_here(&mut tx, 2, Some(1));
        cue.stop().await;
        tx.commit().await
    }

    /// A writer that took the turn while the previous one's commit was
    /// still to be made: the first's work is not committed before the
    /// second's is, and both commits return when it is.
    #[tokio::test]
    async fn a_writer_waiting_for_the_turn_shares_the_commit_before_it() {
        let (_dir, db, first) = first_writer().await;
        let (first, second, go) = two_writers(&db, first, second_commits).await;
        assert_eq!(
            committed(&db).await,
            Vec::<i64>::new(),
            "nothing committed yet"
        );
        assert!(
            !first.is_finished(),
            "the first waits for the group's commit"
        );
        go.send(()).unwrap();
        within(first).await.unwrap().unwrap();
        within(second).await.unwrap().unwrap();
        assert_eq!(committed(&db).await, [1, 2]);
    }

    /// Once writes come in together (the last group held two), a write
    /// that reaches the turn two schedulings after the group's first has
    /// finished, as a request read from the network meanwhile does, joins
    /// that group instead of waiting for its commit (ADR 0178); after a
    /// group of one it does not.
    #[tokio::test]
    async fn a_write_on_its_way_joins_the_group_when_writes_come_in_together() {
        let (_dir, db, first) = first_writer().await;
        let (first, second, go) = two_writers(&db, first, second_commits).await;
        go.send(()).unwrap();
        within(first).await.unwrap().unwrap();
        within(second).await.unwrap().unwrap();
        assert_eq!(last_group(&db).await, 2, "the two writes shared a commit");
        let (third, fourth) = write_then_one_on_its_way(&db, 3).await;
        within(third).await.unwrap().unwrap();
        within(fourth).await.unwrap();
        assert_eq!(committed(&db).await, [1, 2, 3, 4]);
        assert_eq!(
            last_group(&db).await,
            2,
            "the fourth joined the third's group"
        );
        // After a group of one, a write on its way makes the next group:
        // the committer queues at once.
        write_alone(&db, 5, None).await;
        assert_eq!(last_group(&db).await, 1);
        let (third, fourth) = write_then_one_on_its_way(&db, 6).await;
        within(third).await.unwrap().unwrap();
        within(fourth).await.unwrap();
        assert_eq!(committed(&db).await, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            last_group(&db).await,
            1,
            "the seventh made a group of its own"
        );
    }

    /// A write of row `id` that finishes, and another of row `id + 1` that
    /// reaches the turn two schedulings later, as a request read from the
    /// network meanwhile does (its connection's task yields to the write it
    /// spawns). Pins tokio's present order of scheduling on the test's
    /// runtime (one thread).
    async fn write_then_one_on_its_way(
        db: &Db,
        id: i64,
    ) -> (JoinHandle<Result<(), StoreError>>, JoinHandle<()>) {
        let (finishing, finished) = oneshot::channel();
        let first = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.begin_write().await.unwrap();
                insert_here(&mut tx, id, Some(1));
                finishing.send(()).unwrap();
                tx.commit().await
            }
        });
        let next = tokio::spawn({
            let db = db.clone();
            async move {
                finished.await.unwrap();
                tokio::task::yield_now().await;
                write_alone(&db, id + 1, Some(id)).await;
            }
        });
        (first, next)
    }

    /// How many writes the last group committed on `db` held.
    async fn last_group(db: &Db) -> usize {
        super::turn_of(db.as_sqlite().pool())
            .lock()
            .await
            .last_group
    }

    /// A member that fails rolls back its own work only.
    #[tokio::test]
    async fn a_member_dropped_leaves_the_rest_of_its_group() {
        let (_dir, db, first) = first_writer().await;
        let (first, second, go) = two_writers(&db, first, |db, cue| async move {
            let mut tx = db.begin_write().await.unwrap();
            insert(&mut tx, 2, Some(1)).await;
            cue.stop().await;
            drop(tx);
        })
        .await;
        go.send(()).unwrap();
        within(second).await.unwrap();
        within(first).await.unwrap().unwrap();
        assert_eq!(committed(&db).await, [1]);
        write_alone(&db, 3, Some(1)).await;
        assert_eq!(committed(&db).await, [1, 3]);
    }

    /// Three writers in one group, the second and third queued for the
    /// turn before the first finishes: the second's savepoint is left
    /// open when it finishes, released by the third as it begins, and the
    /// third's by the commit, or by its own rollback if it is dropped.
    /// Answers the rows committed once every member has its answer.
    async fn three_writers(third_commits: bool) -> Vec<i64> {
        let (_dir, db, first) = first_writer().await;
        let second = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.begin_write().await.unwrap();
                insert(&mut tx, 2, Some(1)).await;
                tx.commit().await
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let third = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.begin_write().await.unwrap();
                insert(&mut tx, 3, Some(2)).await;
                if third_commits {
                    tx.commit().await
                } else {
                    drop(tx);
                    Ok(())
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        within(first.commit()).await.unwrap();
        within(second).await.unwrap().unwrap();
        within(third).await.unwrap().unwrap();
        let rows = committed(&db).await;
        // The writer goes on, outside any savepoint the group left.
        write_alone(&db, 4, Some(1)).await;
        assert_eq!(committed(&db).await.last(), Some(&4));
        rows
    }

    #[tokio::test]
    async fn a_member_s_savepoint_is_released_by_the_next_or_by_the_commit() {
        assert_eq!(three_writers(true).await, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_member_dropped_after_another_keeps_the_other_s_work() {
        assert_eq!(three_writers(false).await, [1, 2]);
    }

    /// A group whose commit fails fails every member, keeps none of their
    /// work, and the writer goes on. The commit is made to fail by a
    /// foreign key checked only then (`defer_foreign_keys`).
    #[tokio::test]
    async fn a_group_whose_commit_fails_fails_every_member() {
        let closes = unfinalised_closes().load(std::sync::atomic::Ordering::SeqCst);
        let (_dir, db, first) = first_writer().await;
        let (first, second, go) = two_writers(&db, first, |db, cue| async move {
            let mut tx = db.begin_write().await.unwrap();
            run(&mut tx, "PRAGMA defer_foreign_keys = ON").await;
            insert_here(&mut tx, 2, Some(99));
            cue.stop().await;
            tx.commit().await
        })
        .await;
        go.send(()).unwrap();
        for result in [within(second).await.unwrap(), within(first).await.unwrap()] {
            let err = result.expect_err("the group's commit failed");
            assert!(err.to_string().contains("could not be committed"), "{err}");
        }
        assert_eq!(committed(&db).await, Vec::<i64>::new());
        write_alone(&db, 3, None).await;
        assert_eq!(committed(&db).await, [3]);
        // The failed group's connection, closed, had the second's
        // statement prepared on it from the request's thread.
        assert_eq!(
            unfinalised_closes().load(std::sync::atomic::Ordering::SeqCst),
            closes
        );
    }

    /// A request dropped while it waits for its group's commit: the group
    /// is still committed, and the other members' answers stand.
    #[tokio::test]
    async fn a_group_is_committed_when_its_first_is_dropped_waiting() {
        let (_dir, db, first) = first_writer().await;
        let (first, second, go) = two_writers(&db, first, second_commits).await;
        first.abort();
        go.send(()).unwrap();
        within(second).await.unwrap().unwrap();
        assert_eq!(committed(&db).await, [1, 2]);
    }

    /// A statement outside a transaction joins the group it finds open:
    /// it is answered, as the group's first is, once the group's commit
    /// holds both.
    #[tokio::test]
    async fn a_write_outside_a_transaction_shares_the_open_groups_commit() {
        let (_dir, db, first) = first_writer().await;
        let (first, single, go) = two_writers(&db, first, |db, cue| async move {
            on_writer!(&db, |conn| {
                let inserted = sqlx::query("INSERT INTO probe (id, parent) VALUES (2, 1)")
                    .execute(conn)
                    .await;
                cue.stop().await;
                inserted.map(|_| ())
            })
        })
        .await;
        assert_eq!(
            committed(&db).await,
            Vec::<i64>::new(),
            "nothing committed while the statement works"
        );
        assert!(
            !first.is_finished(),
            "the first waits for the group's commit"
        );
        go.send(()).unwrap();
        within(single).await.unwrap().unwrap();
        assert_eq!(
            committed(&db).await,
            [1, 2],
            "answered once the group is committed"
        );
        within(first).await.unwrap().unwrap();
        assert_eq!(
            last_group(&db).await,
            1,
            "a statement outside a transaction is not counted as writes coming in together"
        );
    }

    /// A statement outside a transaction that fails rolls back its own
    /// work only; the group it joined is committed.
    #[tokio::test]
    async fn a_write_outside_a_transaction_that_fails_leaves_its_group() {
        let (_dir, db, first) = first_writer().await;
        let (first, single, go) = two_writers(&db, first, |db, cue| async move {
            on_writer!(&db, |conn| {
                let inserted = sqlx::query(
                    "INSERT INTO probe (id, parent) VALUES (2, 1); INSERT INTO probe (id) VALUES (1)",
                )
                .execute(conn)
                .await;
                cue.stop().await;
                inserted.map(|_| ())
            })
        })
        .await;
        go.send(()).unwrap();
        assert!(
            within(single).await.unwrap().is_err(),
            "row 1 is there already"
        );
        within(first).await.unwrap().unwrap();
        assert_eq!(committed(&db).await, [1]);
        write_alone(&db, 3, Some(1)).await;
        assert_eq!(committed(&db).await, [1, 3]);
    }

    /// A group whose transaction SQLite ended (here by hand, as it does
    /// itself on a full disk) is found when the next member begins: it
    /// fails, and so does the member before it, whose commit had not been
    /// made; nothing either wrote in the group is kept. Found from the
    /// next member's thread, as it joins there.
    #[tokio::test]
    async fn a_group_whose_transaction_was_lost_fails_and_keeps_nothing() {
        lost_group(false).await;
    }

    /// As [`a_group_whose_transaction_was_lost_fails_and_keeps_nothing`],
    /// found on sqlx's thread: the member before left a failed statement
    /// there the last.
    #[tokio::test]
    async fn a_group_whose_transaction_was_lost_is_found_on_sqlx_s_thread_too() {
        lost_group(true).await;
    }

    async fn lost_group(failed_last: bool) {
        let closes = unfinalised_closes().load(std::sync::atomic::Ordering::SeqCst);
        let (_dir, db, mut first) = first_writer().await;
        run(&mut first, "ROLLBACK").await;
        // Outside any transaction now: SQLite commits it on its own at
        // once, as it would have without groups. Written from the
        // request's thread, whose statement is prepared on the connection
        // the failed group closes: it is finalised first, or sqlx could
        // not close the connection.
        insert_here(&mut first, 2, None);
        if failed_last {
            let refused = on_tx!(&mut first, |conn| sqlx::query("SELECT * FROM nowhere")
                .execute(conn)
                .await
                .map(|_| ()));
            assert!(refused.is_err());
            assert!(first.on_thread().is_none());
        }
        let second = tokio::spawn({
            let db = db.clone();
            async move {
                let mut tx = db.begin_write().await?;
                insert(&mut tx, 3, None).await;
                tx.commit().await
            }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let first = tokio::spawn(first.commit());
        assert!(
            within(second).await.unwrap().is_err(),
            "the second cannot begin"
        );
        assert!(
            within(first).await.unwrap().is_err(),
            "nor the first commit"
        );
        assert_eq!(committed(&db).await, [2]);
        write_alone(&db, 4, None).await;
        assert_eq!(committed(&db).await, [2, 4]);
        assert_eq!(
            unfinalised_closes().load(std::sync::atomic::Ordering::SeqCst),
            closes
        );
    }

    /// Statements from the request's thread and from sqlx's are one
    /// transaction, in the order written: rolled back together, committed
    /// together.
    #[tokio::test]
    async fn a_write_from_the_request_s_thread_is_in_its_transaction() {
        let (_dir, db) = probe().await;
        let mut tx = db.begin_write().await.unwrap();
        insert(&mut tx, 1, None).await;
        insert_here(&mut tx, 2, Some(1));
        insert(&mut tx, 3, Some(2)).await;
        drop(tx);
        write_alone(&db, 9, None).await;
        assert_eq!(committed(&db).await, [9], "the dropped write kept nothing");

        let mut tx = db.begin_write().await.unwrap();
        insert(&mut tx, 1, None).await;
        insert_here(&mut tx, 2, Some(1));
        insert(&mut tx, 3, Some(2)).await;
        tx.commit().await.unwrap();
        assert_eq!(committed(&db).await, [1, 2, 3, 9]);
        db.close().await;
    }

    /// sqlx answers a failed statement before its thread has finished with
    /// it: the transaction's next statement goes to that thread, behind
    /// it, and once one is answered with success the connection is driven
    /// from the request's thread again.
    #[tokio::test]
    async fn after_a_statement_fails_on_sqlx_s_thread_the_next_goes_there() {
        let (_dir, db, mut first) = first_writer().await;
        assert!(first.on_thread().is_some());
        insert_1_again(&mut first).await;
        assert!(first.on_thread().is_none());
        insert(&mut first, 2, Some(1)).await;
        assert!(first.on_thread().is_some());
        first.commit().await.unwrap();

        let mut tx = db.begin_write().await.unwrap();
        insert_here(&mut tx, 3, Some(2));
        tx.commit().await.unwrap();
        assert_eq!(committed(&db).await, [1, 2, 3]);
        db.close().await;
    }

    /// A member that went on after a statement of its failed on sqlx's
    /// thread, and finished, leaves that thread's answer the last: the
    /// next member joins the group on that thread (proving the
    /// transaction still open with `BEGIN`, refused), and from then on
    /// drives the connection from its own.
    #[tokio::test]
    async fn a_member_after_a_failure_on_sqlx_s_thread_joins_the_group_there() {
        let (_dir, db, mut first) = first_writer().await;
        insert_1_again(&mut first).await;
        let (first, second, go) = two_writers(&db, first, |db, cue| async move {
            let mut tx = db.begin_write().await?;
            let here = tx.on_thread().is_some();
            insert_here(&mut tx, 2, Some(1));
            cue.stop().await;
            tx.commit().await.map(|()| here)
        })
        .await;
        go.send(()).unwrap();
        within(first).await.unwrap().unwrap();
        assert!(within(second).await.unwrap().unwrap());
        assert_eq!(committed(&db).await, [1, 2]);
        db.close().await;
    }

    /// How many times sqlx has panicked, on any thread, at a connection
    /// it could not close for statements still prepared on it. Counted for
    /// the whole test binary: only a fault of the writer's makes one.
    fn unfinalised_closes() -> &'static std::sync::atomic::AtomicUsize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNT: OnceLock<&'static AtomicUsize> = OnceLock::new();
        COUNT.get_or_init(|| {
            let count: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
            let before = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let payload = info.payload();
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("");
                if message.contains("unfinalized statements") {
                    count.fetch_add(1, Ordering::SeqCst);
                }
                before(info);
            }));
            count
        })
    }

    /// What was prepared on the writer's connection from the requests'
    /// threads is finalised before the connection is closed, whether the
    /// database is closed or only dropped: otherwise SQLite refuses to
    /// close it, and sqlx panics (on its connection's thread, or on the
    /// task that gives the connection back) and leaves the file open.
    #[tokio::test]
    async fn a_database_closed_or_dropped_closes_its_writer_connection() {
        use std::sync::atomic::Ordering;
        let panics = unfinalised_closes();
        let before = panics.load(Ordering::SeqCst);
        let (dir, db) = probe().await;
        let url = format!("sqlite://{}", dir.path().join("epa.db").display());
        let mut tx = db.begin_write().await.unwrap();
        insert_here(&mut tx, 1, None);
        tx.commit().await.unwrap();
        db.close().await;

        for id in [2, 3] {
            let db = Db::open(&url).await.unwrap();
            let mut tx = db.begin_write().await.unwrap();
            insert_here(&mut tx, id, None);
            tx.commit().await.unwrap();
            // Dropped, not closed: its connections close on their own.
            drop(db);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }

        let db = Db::open(&url).await.unwrap();
        assert_eq!(committed(&db).await, [1, 2, 3]);
        db.close().await;
        assert_eq!(
            panics.load(Ordering::SeqCst),
            before,
            "sqlx closed every connection"
        );
    }
}
