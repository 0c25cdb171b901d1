//! Archives of files (a portfolio sent as one zip): unpacked in memory,
//! never onto a disk, through the same container checks as a Word
//! document's zip, so a bomb is refused before or while it inflates.
//!
//! What comes out is each file's name and bytes. The name is data only
//! (it is shown to people and never used as a path), so a name such as
//! `../../etc/passwd` is harmless here and is handed over as it is; the
//! caller checks each file's bytes as it checks an upload.

use crate::container::{Container, EntryKind, Limits, Names};
use crate::error::DocumentError;
use crate::sniff::{ZIP_MAGIC, sniff};

/// One file from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// The entry's name as the archive gives it, folders included
    /// (`"evidence/emails.pdf"`): data only, never a path.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Unpacks every file of a zip archive, in the archive's order.
///
/// `limits` bound the archive (`max_input_bytes`), the number of entries,
/// each file (`max_entry_declared`, enforced on what it really inflates to,
/// whatever it declares), all files together (`max_total_declared`, on
/// both the declared and the real sizes) and the inflation ratio. Folders
/// and the metadata that operating systems add when zipping (macOS's
/// `__MACOSX/` and `.DS_Store`, Windows's `Thumbs.db` and `desktop.ini`)
/// are left out: nobody chose them as evidence. A symbolic link, an
/// encrypted entry or an archive without a file is refused.
pub fn unpack(bytes: &[u8], limits: &Limits) -> Result<Vec<ArchiveEntry>, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(DocumentError::Unsupported(
            "the file is not a zip archive".to_owned(),
        ));
    }
    // A Word or OpenDocument file is a zip too; unpacked, it would be its
    // XML parts, each refused. Say what it is instead.
    if let Some(kind) = sniff(bytes) {
        return Err(DocumentError::Unsupported(format!(
            "the file is {}, not a zip archive of files: upload it on its own",
            kind.described()
        )));
    }
    let mut container = Container::open_with(bytes, limits, Names::DataOnly)?;
    let mut entries = Vec::new();
    let mut total: u64 = 0;
    for index in 0..container.len() {
        let entry = container.entry(index)?;
        match entry.what {
            EntryKind::Folder => continue,
            EntryKind::Link => {
                return Err(DocumentError::Unsupported(format!(
                    "the entry {:?} is a link, not a file; put the file itself in the archive",
                    entry.name
                )));
            }
            EntryKind::File => {}
        }
        if is_system_metadata(&entry.name) {
            continue;
        }
        total = total.saturating_add(entry.bytes.len() as u64);
        if total > limits.max_total_declared {
            return Err(DocumentError::Unsafe(format!(
                "the archive inflates past {} bytes in all",
                limits.max_total_declared
            )));
        }
        entries.push(ArchiveEntry {
            name: entry.name,
            bytes: entry.bytes,
        });
    }
    if entries.is_empty() {
        return Err(DocumentError::Unsupported(
            "the archive holds no files".to_owned(),
        ));
    }
    Ok(entries)
}

/// Files an operating system adds to an archive on its own.
fn is_system_metadata(name: &str) -> bool {
    let mut parts = name.split(['/', '\\']).filter(|p| !p.is_empty());
    let first = parts.clone().next().unwrap_or_default();
    let last = parts.next_back().unwrap_or_default();
    first == "__MACOSX"
        || last == ".DS_Store"
        || last.eq_ignore_ascii_case("thumbs.db")
        || last.eq_ignore_ascii_case("desktop.ini")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_metadata_is_told_by_its_name() {
        for yes in [
            "__MACOSX/._report.pdf",
            "__MACOSX/evidence/._a.png",
            ".DS_Store",
            "evidence/.DS_Store",
            "photos\\Thumbs.db",
            "Desktop.ini",
        ] {
            assert!(is_system_metadata(yes), "{yes}");
        }
        for no in [
            "report.pdf",
            "MACOSX/a.pdf",
            "evidence/DS_Store.txt",
            "._a.pdf",
        ] {
            assert!(!is_system_metadata(no), "{no}");
        }
    }
}
