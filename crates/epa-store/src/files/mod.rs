//! The file store: uploaded bytes kept under the SHA-256 of their content,
//! never under a name a user gave.
//!
//! [`FileStore`] is the interface; two stores implement it:
//! - [`LocalFiles`], a directory on a local disk, or on a mount every
//!   server reaches;
//! - [`ObjectFiles`], S3-compatible object storage, which every server
//!   reaches over the network.
//!
//! Both keep a file under `ab/cdef...` (the first two hex digits of its ID,
//! then the rest), store the same content once however often it is
//! uploaded, and check the bytes against their ID on every read: damaged
//! bytes are refused ([`FileError::Damaged`]), never served.
//!
//! The calls block (disk or network IO): async callers run them on a
//! blocking thread.

mod local;
mod object;

use std::fmt;
use std::io;

use sha2::{Digest, Sha256};
use thiserror::Error;

pub use local::LocalFiles;
pub use object::{ObjectFiles, S3Location};

/// A stored file's ID: the lower-case hex SHA-256 of its bytes. Only
/// [`FileId::of`] and [`FileId::parse`] make one, so an ID is always 64 hex
/// digits and can never name a path outside the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(String);

impl FileId {
    /// The ID of `bytes`.
    pub fn of(bytes: &[u8]) -> FileId {
        FileId(hex::encode(Sha256::digest(bytes)))
    }

    /// An ID read back from the database; `None` unless 64 lower-case hex digits.
    pub fn parse(text: &str) -> Option<FileId> {
        let valid = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| FileId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two parts of the key every store files it under: the first two
    /// hex digits (a directory, so none grows past a few thousand entries)
    /// and the rest.
    fn split(&self) -> (&str, &str) {
        self.0.split_at(2)
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Error)]
pub enum FileError {
    /// No file has that ID.
    #[error("no stored file has ID {0}")]
    NotFound(FileId),
    /// The stored bytes no longer hash to their ID: the disk, the object
    /// store or someone changed them. Never served.
    #[error("stored file {0} is damaged: its content no longer matches its ID")]
    Damaged(FileId),
    /// The disk refused (full, read-only, permissions).
    #[error("file store: {0}")]
    Io(#[from] io::Error),
    /// The object store refused or could not be reached.
    #[error("object store: {0}")]
    Remote(#[from] object_store::Error),
}

/// Where uploaded files live.
pub trait FileStore: Send + Sync {
    /// Stores `bytes` and answers their ID. Storing content already there
    /// changes nothing.
    fn put(&self, bytes: &[u8]) -> Result<FileId, FileError>;

    /// The bytes stored under `id`, checked against it.
    fn get(&self, id: &FileId) -> Result<Vec<u8>, FileError>;

    /// Whether a file is stored under `id`.
    fn contains(&self, id: &FileId) -> Result<bool, FileError>;
}

/// What every [`FileStore`] promises, run against each implementation by
/// its own tests. `damage` replaces the stored bytes of a file behind the
/// store's back, as a failing disk or a hand in the bucket would.
#[cfg(test)]
pub(crate) fn behaves_as_a_file_store(store: &dyn FileStore, damage: &dyn Fn(&FileId, &[u8])) {
    // Nothing yet: absent, and told apart from damaged.
    let absent = FileId::of(b"never stored");
    assert!(!store.contains(&absent).unwrap());
    assert!(matches!(store.get(&absent), Err(FileError::NotFound(id)) if id == absent));

    // Stored under the hash of the bytes, once however often it is put.
    let id = store.put(b"hello").unwrap();
    assert_eq!(id, FileId::of(b"hello"));
    assert_eq!(store.put(b"hello").unwrap(), id);
    assert!(store.contains(&id).unwrap());
    assert_eq!(store.get(&id).unwrap(), b"hello");

    // Other content is another file; the empty file is a file too.
    let other = store.put(b"world").unwrap();
    assert_ne!(other, id);
    assert_eq!(store.get(&other).unwrap(), b"world");
    let empty = store.put(b"").unwrap();
    assert_eq!(store.get(&empty).unwrap(), b"");

    // Bytes changed behind the store's back are refused, not served; the
    // other files are untouched.
    damage(&id, b"changed");
    assert!(matches!(store.get(&id), Err(FileError::Damaged(found)) if found == id));
    assert_eq!(store.get(&other).unwrap(), b"world");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sha256_hex_and_nothing_else_parses() {
        let id = FileId::of(b"abc");
        assert_eq!(
            id.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(FileId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.split(), ("ba", &id.as_str()[2..]));
        assert_eq!(FileId::parse("../../etc/passwd"), None);
        assert_eq!(FileId::parse(&"A".repeat(64)), None);
        assert_eq!(FileId::parse(&"a".repeat(63)), None);
    }
}
