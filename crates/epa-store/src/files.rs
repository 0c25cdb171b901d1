//! The file store: uploaded bytes kept under the SHA-256 of their content,
//! never under a name a user gave.
//!
//! [`FileStore`] is the interface (local disk now, an S3-compatible store
//! when several machines share uploads); [`LocalFiles`] keeps each file at
//! `<root>/ab/cdef...` (the first two hex digits as a directory, so no
//! directory grows past a few thousand entries). A file is written to a
//! temporary name in `<root>/tmp`, flushed to disk, then renamed into
//! place: a crash leaves a stray temporary file at worst, never a half file
//! under a real ID. The same content uploaded twice is stored once.
//!
//! The calls block (disk IO): async callers run them on a blocking thread.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

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
    /// The stored bytes no longer hash to their ID: the disk or someone
    /// changed them. Never served.
    #[error("stored file {0} is damaged: its content no longer matches its ID")]
    Damaged(FileId),
    /// The disk refused (full, read-only, permissions).
    #[error("file store: {0}")]
    Io(#[from] io::Error),
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

/// Files on a local (or shared) disk under one directory.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// Uses `root` (such as `<data_dir>/files`), creating it and its
    /// temporary directory if need be.
    pub fn open(root: impl Into<PathBuf>) -> Result<LocalFiles, FileError> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp"))?;
        Ok(LocalFiles { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/ab/cdef...`: built from a checked ID only.
    pub fn path_of(&self, id: &FileId) -> PathBuf {
        let (dir, rest) = id.as_str().split_at(2);
        self.root.join(dir).join(rest)
    }
}

impl FileStore for LocalFiles {
    fn put(&self, bytes: &[u8]) -> Result<FileId, FileError> {
        let id = FileId::of(bytes);
        let path = self.path_of(&id);
        if path.is_file() {
            return Ok(id);
        }
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)?;
        // A unique temporary name in the store's own tmp directory, on the
        // same file system as the target, so the rename is atomic.
        let temporary =
            self.root
                .join("tmp")
                .join(format!("{}.{}.part", id, uuid::Uuid::new_v4().simple()));
        let written = (|| -> io::Result<()> {
            let mut file = File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&temporary, &path)?;
            // The rename is durable only once the directory is flushed too.
            if let Ok(handle) = File::open(dir) {
                let _ = handle.sync_all();
            }
            Ok(())
        })();
        if let Err(err) = written {
            let _ = fs::remove_file(&temporary);
            return Err(err.into());
        }
        Ok(id)
    }

    fn get(&self, id: &FileId) -> Result<Vec<u8>, FileError> {
        let bytes = match fs::read(self.path_of(id)) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(FileError::NotFound(id.clone()));
            }
            Err(err) => return Err(err.into()),
        };
        if FileId::of(&bytes) != *id {
            return Err(FileError::Damaged(id.clone()));
        }
        Ok(bytes)
    }

    fn contains(&self, id: &FileId) -> Result<bool, FileError> {
        Ok(self.path_of(id).is_file())
    }
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
        assert_eq!(FileId::parse(id.as_str()), Some(id));
        assert_eq!(FileId::parse("../../etc/passwd"), None);
        assert_eq!(FileId::parse(&"A".repeat(64)), None);
        assert_eq!(FileId::parse(&"a".repeat(63)), None);
    }

    #[test]
    fn put_then_get_under_the_hash_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFiles::open(dir.path().join("files")).unwrap();
        let id = store.put(b"hello").unwrap();
        assert_eq!(store.put(b"hello").unwrap(), id);
        let path = store.path_of(&id);
        assert!(path.starts_with(dir.path().join("files").join(&id.as_str()[..2])));
        assert_eq!(store.get(&id).unwrap(), b"hello");
        assert!(store.contains(&id).unwrap());
        // Nothing is left in tmp after a successful write.
        assert_eq!(
            fs::read_dir(dir.path().join("files/tmp")).unwrap().count(),
            0
        );
    }

    #[test]
    fn missing_and_damaged_files_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFiles::open(dir.path()).unwrap();
        let absent = FileId::of(b"never stored");
        assert!(matches!(store.get(&absent), Err(FileError::NotFound(_))));
        let id = store.put(b"original").unwrap();
        fs::write(store.path_of(&id), b"changed").unwrap();
        assert!(matches!(store.get(&id), Err(FileError::Damaged(_))));
    }
}
