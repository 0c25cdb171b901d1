//! The kinds of file the product knows, and what a name's extension
//! promises. Telling a kind from the bytes is the `sniff` module's work.

use serde::Serialize;

/// The kinds of file the product accepts somewhere (documents for word
/// counts; images and recordings as portfolio evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Docx,
    Odt,
    Pdf,
    Txt,
    #[serde(rename = "md")]
    Markdown,
    Png,
    Jpeg,
    Mp3,
    Mp4,
    Wav,
    Webm,
    Ogg,
}

impl FileKind {
    /// The short name used in JSON (`"format": "docx"`) and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Docx => "docx",
            Self::Odt => "odt",
            Self::Pdf => "pdf",
            Self::Txt => "txt",
            Self::Markdown => "md",
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Mp3 => "mp3",
            Self::Mp4 => "mp4",
            Self::Wav => "wav",
            Self::Webm => "webm",
            Self::Ogg => "ogg",
        }
    }

    /// The media type to store and serve the file with.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Pdf => "application/pdf",
            Self::Txt => "text/plain; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Mp3 => "audio/mpeg",
            Self::Mp4 => "video/mp4",
            Self::Wav => "audio/wav",
            Self::Webm => "video/webm",
            Self::Ogg => "audio/ogg",
        }
    }

    /// Whether words can be counted in this kind of file.
    pub fn has_words(self) -> bool {
        matches!(
            self,
            Self::Docx | Self::Odt | Self::Pdf | Self::Txt | Self::Markdown
        )
    }

    /// What a person would call it, for messages ("a PNG image").
    pub fn described(self) -> &'static str {
        match self {
            Self::Docx => "a Word document",
            Self::Odt => "an OpenDocument text",
            Self::Pdf => "a PDF",
            Self::Txt | Self::Markdown => "plain text",
            Self::Png => "a PNG image",
            Self::Jpeg => "a JPEG image",
            Self::Mp3 => "an MP3 recording",
            Self::Mp4 => "an MP4 recording",
            Self::Wav => "a WAV recording",
            Self::Webm => "a WebM recording",
            Self::Ogg => "an Ogg recording",
        }
    }

    /// The kind a file name's extension promises, if we accept it at all.
    pub fn from_name(name: &str) -> Option<Self> {
        let ext = extension(name)?;
        Some(match ext.as_str() {
            "docx" => Self::Docx,
            "odt" => Self::Odt,
            "pdf" => Self::Pdf,
            "txt" | "text" => Self::Txt,
            "md" | "markdown" => Self::Markdown,
            "png" => Self::Png,
            "jpg" | "jpeg" => Self::Jpeg,
            "mp3" => Self::Mp3,
            "mp4" | "m4a" | "mov" => Self::Mp4,
            "wav" => Self::Wav,
            "webm" => Self::Webm,
            "ogg" | "oga" | "ogv" | "opus" => Self::Ogg,
            _ => return None,
        })
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lower-case extension of a file name (`"Report.DOCX"` -> `"docx"`).
pub fn extension(name: &str) -> Option<String> {
    // Only the last path component: a name may arrive as a full client path.
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = base.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_case_insensitive_and_last_component_only() {
        assert_eq!(FileKind::from_name("Report.DOCX"), Some(FileKind::Docx));
        assert_eq!(
            FileKind::from_name("C:\\x.y\\notes.md"),
            Some(FileKind::Markdown)
        );
        assert_eq!(FileKind::from_name("archive.tar.gz"), None);
        assert_eq!(FileKind::from_name(".docx"), None);
        assert_eq!(FileKind::from_name("noext"), None);
    }
}
