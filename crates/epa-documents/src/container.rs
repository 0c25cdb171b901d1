//! Zip containers (docx, odt), inspected before anything is inflated.
//!
//! A zip archive describes itself twice: the central directory at the end
//! (names, declared sizes) and a local header before each entry. Both can lie.
//! So the checks run in two stages: first the end-of-central-directory record
//! and every central entry are checked against [`Limits`] without inflating a
//! byte; then the few XML parts we need are inflated through
//! `take(limit + 1)`, so an entry that inflates past its limit is refused
//! whatever it declared.

use std::io::{Cursor, Read};

use serde::Serialize;

use crate::error::DocumentError;
use crate::kind::FileKind;

/// Safety limits for reading untrusted documents.
///
/// The defaults keep a refusal under a second and the process under 200 MB
/// for any input no larger than `max_input_bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted at all.
    pub max_input_bytes: u64,
    /// The most entries a zip container may hold (a real .docx has 10-200).
    pub max_entries: usize,
    /// The largest inflated size any single entry may declare.
    pub max_entry_declared: u64,
    /// The largest inflated size all entries together may declare.
    pub max_total_declared: u64,
    /// The highest inflated/compressed ratio allowed for an entry that
    /// declares more than `ratio_floor` bytes (zip bombs run at 1,000:1;
    /// real XML at 5-30:1).
    pub max_ratio: u64,
    /// Entries smaller than this are exempt from the ratio check: tiny
    /// entries have meaningless ratios and cannot do harm.
    pub ratio_floor: u64,
    /// The most bytes one XML part we read may inflate to, whatever it declared.
    pub max_part_bytes: u64,
    /// How long PDF text extraction may run.
    pub pdf_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 50 * MIB,
            max_entries: 5_000,
            max_entry_declared: 100 * MIB,
            max_total_declared: 500 * MIB,
            max_ratio: 100,
            ratio_floor: MIB,
            max_part_bytes: 32 * MIB,
            pdf_timeout: std::time::Duration::from_secs(5),
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// What the inspection of a zip container found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZipSummary {
    pub entries: usize,
    pub declared_inflated: u64,
    pub compressed: u64,
}

/// What an entry's name is to us. In a document (docx, odt) a name that
/// would escape a folder if extracted marks a forged file: refused. In an
/// archive of files (the `archive` module) names are data only, shown to
/// people and never used as a path, so any name is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    MustBeSafePaths,
    DataOnly,
}

/// An opened, inspected zip container.
pub(crate) struct Container<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    pub(crate) summary: ZipSummary,
}

const KIND: &str = "zip archive";

impl<'a> Container<'a> {
    /// Opens and inspects a document container; nothing is inflated.
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, DocumentError> {
        Self::open_with(bytes, limits, Names::MustBeSafePaths)
    }

    /// Opens and inspects the container, treating entry names as `names`
    /// says; nothing is inflated.
    pub(crate) fn open_with(
        bytes: &'a [u8],
        limits: &Limits,
        names: Names,
    ) -> Result<Self, DocumentError> {
        if bytes.len() as u64 > limits.max_input_bytes {
            return Err(DocumentError::TooLarge {
                size: bytes.len() as u64,
                limit: limits.max_input_bytes,
            });
        }
        // The zip reader sizes its tables from the directory's own claims;
        // check those claims first so a forged count cannot make it allocate.
        precheck_end_record(bytes, limits)?;
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| DocumentError::damaged(KIND, zip_detail(&e)))?;
        if archive.len() > limits.max_entries {
            return Err(too_many(archive.len(), limits));
        }
        let mut summary = ZipSummary {
            entries: archive.len(),
            declared_inflated: 0,
            compressed: 0,
        };
        for index in 0..archive.len() {
            let entry = archive
                .by_index_data(index)
                .map_err(|e| DocumentError::damaged(KIND, zip_detail(&e)))?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if names == Names::MustBeSafePaths {
                check_name(&name)?;
            }
            if entry.encrypted() {
                return Err(DocumentError::Unsupported(format!(
                    "the entry {name:?} is encrypted; remove the password and try again"
                )));
            }
            let size = entry.size();
            let packed = entry.compressed_size();
            if size > limits.ratio_floor && size / packed.max(1) > limits.max_ratio {
                return Err(DocumentError::Unsafe(format!(
                    "the entry {name:?} would inflate {}:1 (limit {}:1), as a zip bomb does",
                    size / packed.max(1),
                    limits.max_ratio
                )));
            }
            if size > limits.max_entry_declared {
                return Err(DocumentError::Unsafe(format!(
                    "the entry {name:?} would inflate to {size} bytes (limit {})",
                    limits.max_entry_declared
                )));
            }
            summary.declared_inflated = summary.declared_inflated.saturating_add(size);
            summary.compressed = summary.compressed.saturating_add(packed);
        }
        if summary.declared_inflated > limits.max_total_declared {
            return Err(DocumentError::Unsafe(format!(
                "the archive would inflate to {} bytes in all (limit {})",
                summary.declared_inflated, limits.max_total_declared
            )));
        }
        Ok(Self {
            archive,
            limits: limits.clone(),
            summary,
        })
    }

    /// How many entries the container holds.
    pub(crate) fn len(&self) -> usize {
        self.archive.len()
    }

    /// Entry `index` in full: its name (decoded as the archive says, UTF-8
    /// or the old DOS code page), what it is, and its bytes, inflated
    /// through `take(max_entry_declared + 1)` so an entry that inflates past
    /// the limit is refused whatever it declared.
    pub(crate) fn entry(&mut self, index: usize) -> Result<Entry, DocumentError> {
        let limit = self.limits.max_entry_declared;
        let mut file = self
            .archive
            .by_index(index)
            .map_err(|e| DocumentError::damaged(KIND, zip_detail(&e)))?;
        let name = match file.name() {
            Ok(name) => name.into_owned(),
            Err(_) => String::from_utf8_lossy(file.name_raw()).into_owned(),
        };
        let what = if file.is_dir() {
            EntryKind::Folder
        } else if file.is_symlink() {
            EntryKind::Link
        } else {
            EntryKind::File
        };
        let mut bytes = Vec::with_capacity(file.size().min(limit) as usize);
        if what == EntryKind::File {
            (&mut file)
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| DocumentError::damaged(KIND, format!("{name}: {e}")))?;
            if bytes.len() as u64 > limit {
                return Err(DocumentError::Unsafe(format!(
                    "the entry {name:?} inflates past {limit} bytes"
                )));
            }
        }
        Ok(Entry { name, what, bytes })
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// The kind of document this container holds, if it is one we know.
    pub(crate) fn kind(mut self) -> Option<FileKind> {
        if self.has("word/document.xml") {
            return Some(FileKind::Docx);
        }
        if self.has("content.xml") {
            let mimetype = self.read("mimetype").ok().flatten()?;
            if mimetype.trim() == "application/vnd.oasis.opendocument.text" {
                return Some(FileKind::Odt);
            }
        }
        None
    }

    /// Inflates one entry as UTF-8 text, refusing it past `max_part_bytes`
    /// however small it declared itself. `Ok(None)` when it is absent.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<String>, DocumentError> {
        let limit = self.limits.max_part_bytes;
        let mut file = match self.archive.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(DocumentError::damaged(KIND, zip_detail(&e))),
        };
        // Never trust the declared size for the allocation either.
        let mut buf = Vec::with_capacity(file.size().min(limit) as usize);
        (&mut file)
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(|e| DocumentError::damaged(KIND, format!("{name}: {e}")))?;
        if buf.len() as u64 > limit {
            return Err(DocumentError::Unsafe(format!(
                "the entry {name:?} inflates past {limit} bytes"
            )));
        }
        let text = match String::from_utf8(buf) {
            Ok(text) => text,
            Err(_) => {
                return Err(DocumentError::damaged(
                    KIND,
                    format!("{name} is not UTF-8 text"),
                ));
            }
        };
        Ok(Some(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        }))
    }
}

/// What an entry is, as the archive describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    File,
    Folder,
    /// A symbolic link: its "content" is a path, not a file.
    Link,
}

/// One entry, inflated ([`Container::entry`]).
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) what: EntryKind,
    pub(crate) bytes: Vec<u8>,
}

fn too_many(count: usize, limits: &Limits) -> DocumentError {
    DocumentError::Unsafe(format!(
        "the archive holds {count} entries (limit {})",
        limits.max_entries
    ))
}

fn zip_detail(err: &zip::result::ZipError) -> String {
    let text = err.to_string();
    if text.is_empty() {
        "unreadable zip structure".to_owned()
    } else {
        text
    }
}

/// Entry names that could escape a folder if anyone ever extracted them.
fn check_name(name: &str) -> Result<(), DocumentError> {
    let unsafe_name = name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || name.as_bytes().get(1) == Some(&b':')
        || name.split(['/', '\\']).any(|part| part == "..");
    if unsafe_name {
        return Err(DocumentError::Unsafe(format!(
            "the entry name {name:?} points outside the archive"
        )));
    }
    Ok(())
}

/// Reads the end-of-central-directory record (and its zip64 twin) and
/// refuses an entry count or directory size past the limits.
fn precheck_end_record(bytes: &[u8], limits: &Limits) -> Result<(), DocumentError> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const EOCD_LEN: usize = 22;
    if bytes.len() < EOCD_LEN {
        return Err(DocumentError::damaged(
            KIND,
            "too short to be a zip archive",
        ));
    }
    // The record sits at most 65,535 bytes of comment before the end.
    let tail_start = bytes.len().saturating_sub(EOCD_LEN + 65_535);
    let Some(pos) = bytes[tail_start..bytes.len() - EOCD_LEN + EOCD.len()]
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|p| p + tail_start)
    else {
        return Err(DocumentError::damaged(
            KIND,
            "no end-of-central-directory record (truncated?)",
        ));
    };
    let record = &bytes[pos..];
    let u16_at = |b: &[u8], at: usize| u64::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let u32_at = |b: &[u8], at: usize| {
        u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]))
    };
    let mut entries = u16_at(record, 10);
    let mut dir_size = u32_at(record, 12);
    // Zip64: the real figures live in a record that a locator just before
    // this one points to.
    if (entries == 0xFFFF || dir_size == 0xFFFF_FFFF) && pos >= 20 {
        let locator = &bytes[pos - 20..pos];
        if locator.starts_with(b"PK\x06\x07") {
            let offset = u32_at(locator, 8) | (u32_at(locator, 12) << 32);
            let offset = usize::try_from(offset).unwrap_or(usize::MAX);
            if let Some(rec) = bytes.get(offset..offset.saturating_add(56))
                && rec.starts_with(b"PK\x06\x06")
            {
                entries = u32_at(rec, 32) | (u32_at(rec, 36) << 32);
                dir_size = u32_at(rec, 40) | (u32_at(rec, 44) << 32);
            }
        }
    }
    if entries > limits.max_entries as u64 {
        return Err(too_many(
            usize::try_from(entries).unwrap_or(usize::MAX),
            limits,
        ));
    }
    // A central entry is 46 bytes plus its name, extra field and comment
    // (each at most 65,535 bytes); a directory far bigger than its count
    // allows is forged.
    let most = (entries.max(1)).saturating_mul(46 + 3 * 65_535);
    if dir_size > most || dir_size > bytes.len() as u64 {
        return Err(DocumentError::damaged(
            KIND,
            "the central directory is larger than the archive allows",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_absolute_names_are_unsafe() {
        for name in [
            "../evil",
            "a/../../b",
            "/etc/passwd",
            "\\x",
            "C:\\x",
            "a\\..\\b",
        ] {
            assert!(check_name(name).is_err(), "{name}");
        }
        for name in ["word/document.xml", "a..b/c", "[Content_Types].xml"] {
            assert!(check_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn short_and_truncated_inputs_are_damaged() {
        let limits = Limits::default();
        assert!(matches!(
            precheck_end_record(b"PK\x03\x04", &limits),
            Err(DocumentError::Damaged { .. })
        ));
        assert!(matches!(
            precheck_end_record(&[0u8; 100], &limits),
            Err(DocumentError::Damaged { .. })
        ));
    }

    #[test]
    fn a_forged_entry_count_is_refused_before_the_zip_reader_sees_it() {
        let mut eocd = b"PK\x05\x06\0\0\0\0".to_vec();
        eocd.extend_from_slice(&60_000u16.to_le_bytes());
        eocd.extend_from_slice(&60_000u16.to_le_bytes());
        eocd.extend_from_slice(&(60_000u32 * 46).to_le_bytes());
        eocd.extend_from_slice(&0u32.to_le_bytes());
        eocd.extend_from_slice(&0u16.to_le_bytes());
        assert!(matches!(
            precheck_end_record(&eocd, &Limits::default()),
            Err(DocumentError::Unsafe(_))
        ));
    }
}
