//! Sniffing: telling a file's kind from its bytes alone (never from its
//! name). Zip containers are told apart by their entries, after the
//! container's safety checks.

use crate::container::{Container, Limits};
use crate::kind::FileKind;
use crate::text::looks_like_text;

/// The first bytes of a zip local file header.
pub(crate) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Tells the kind of a file from its bytes alone.
///
/// Plain text and Markdown cannot be told apart by their bytes: both answer
/// [`FileKind::Txt`]. Zip containers are recognised by their entries, read
/// from the central directory without inflating anything but the tiny ODF
/// `mimetype` entry, and only after the archive's safety checks pass
/// ([`Limits::default`]); an unsafe or damaged archive answers `None`.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return Container::open(bytes, &Limits::default())
            .ok()
            .and_then(|c| c.kind());
    }
    // A UTF-16 byte-order mark would otherwise pass for an MP3 frame header.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if utf16 && looks_like_text(bytes) {
        return Some(FileKind::Txt);
    }
    sniff_binary(bytes).or_else(|| looks_like_text(bytes).then_some(FileKind::Txt))
}

fn sniff_binary(bytes: &[u8]) -> Option<FileKind> {
    // PDF readers accept up to 1 KB of junk before the header; so do we.
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        return Some(FileKind::Jpeg);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(FileKind::Mp4);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE" {
        return Some(FileKind::Wav);
    }
    if bytes.starts_with(b"\x1A\x45\xDF\xA3") {
        return Some(FileKind::Webm);
    }
    if bytes.starts_with(b"OggS") {
        return Some(FileKind::Ogg);
    }
    if bytes.starts_with(b"ID3")
        || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0)
    {
        return Some(FileKind::Mp3);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_signatures() {
        assert_eq!(sniff(b"%PDF-1.4\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileKind::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), Some(FileKind::Mp4));
        assert_eq!(sniff(b"hello world\n"), Some(FileKind::Txt));
        assert_eq!(sniff(b"\0\x01\x02\x03binary\0\0"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"PK\x03\x04truncated"), None);
    }
}
