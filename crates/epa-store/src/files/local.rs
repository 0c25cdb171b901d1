//! [`LocalFiles`]: uploads in one directory, on a local disk or on a mount
//! every server reaches.
//!
//! A file is written to a temporary name in `<root>/tmp`, flushed to disk,
//! then renamed into place: a crash leaves a stray temporary file at worst,
//! never a half file under a real ID.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{FileError, FileId, FileStore};

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
        let (dir, rest) = id.split();
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
    fn behaves_as_a_file_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFiles::open(dir.path().join("files")).unwrap();
        super::super::behaves_as_a_file_store(&store, &|id, bytes| {
            fs::write(store.path_of(id), bytes).unwrap();
        });
    }

    #[test]
    fn files_sit_under_their_hash_and_nothing_is_left_in_tmp() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFiles::open(dir.path().join("files")).unwrap();
        let id = store.put(b"hello").unwrap();
        let path = store.path_of(&id);
        assert!(path.starts_with(dir.path().join("files").join(&id.as_str()[..2])));
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert_eq!(
            fs::read_dir(dir.path().join("files/tmp")).unwrap().count(),
            0
        );
    }
}
