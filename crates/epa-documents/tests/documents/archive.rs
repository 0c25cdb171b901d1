//! Archives of files (a portfolio as one zip): unpacked in memory through
//! the container's checks, names handed over as data.

use epa_documents::samples::{self, RawEntry};
use epa_documents::{DocumentError, Limits, unpack};

fn names(entries: &[epa_documents::ArchiveEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn every_file_comes_out_with_its_bytes_and_folders_and_system_files_are_left_out() {
    let docx = samples::sized_docx(300, 0);
    let zip = samples::zip_files(&[
        ("evidence/", b""),
        ("evidence/emails.docx", &docx),
        ("notes.txt", b"Call notes"),
        ("__MACOSX/evidence/._emails.docx", b"\0\x05\x16\x07"),
        ("evidence/.DS_Store", b"\0\0\0\x01Bud1"),
    ]);
    let entries = unpack(&zip, &Limits::default()).unwrap();
    assert_eq!(names(&entries), ["evidence/emails.docx", "notes.txt"]);
    assert_eq!(entries[0].bytes, docx);
    assert_eq!(entries[1].bytes, b"Call notes");
}

#[test]
fn hostile_names_are_data_not_refusals() {
    let zip = samples::zip_files(&[
        ("../../etc/passwd.txt", b"root"),
        ("/abs/evil.txt", b"x"),
        ("..\\..\\win.txt", b"y"),
    ]);
    let entries = unpack(&zip, &Limits::default()).unwrap();
    assert_eq!(
        names(&entries),
        ["../../etc/passwd.txt", "/abs/evil.txt", "..\\..\\win.txt"]
    );
    // The same names in a Word document's container are a forgery.
    assert!(matches!(
        epa_documents::inspect(&zip, "report.docx"),
        Err(DocumentError::Unsafe(_))
    ));
}

#[test]
fn a_stored_entry_reads_back_whole_with_its_crc() {
    let zip = samples::raw_zip(&[RawEntry {
        name: "a.txt",
        method: 0,
        data: b"hello",
        crc: samples::crc32(b"hello"),
        declared_size: 5,
    }]);
    assert_eq!(unpack(&zip, &Limits::default()).unwrap()[0].bytes, b"hello");
}

#[test]
fn bombs_are_refused_whether_or_not_they_declare_their_size() {
    let zeros = samples::deflated_zeros(1 << 30);
    // Declaring its size, it is refused before inflating; declaring less,
    // it is stopped while inflating (by the zip reader, which checks the
    // declared size, or by our own cap past the file limit).
    for (declared, expect) in [
        (1u64 << 30, "zip bomb"),
        (10_000, "larger than its declared"),
    ] {
        let zip = samples::raw_zip(&[RawEntry {
            name: "data.txt",
            method: 8,
            data: &zeros,
            crc: 0,
            declared_size: declared,
        }]);
        let started = std::time::Instant::now();
        let err = unpack(&zip, &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                DocumentError::Unsafe(_) | DocumentError::Damaged { .. }
            ),
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("data.txt") && text.contains(expect), "{text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

#[test]
fn limits_on_files_and_their_total_hold_on_what_really_inflates() {
    let big = vec![b'a'; 3000];
    let zip = samples::zip_files(&[("a.txt", &big), ("b.txt", &big)]);
    let one_file = Limits {
        max_entry_declared: 2999,
        ..Limits::default()
    };
    assert!(
        unpack(&zip, &one_file)
            .unwrap_err()
            .to_string()
            .contains("a.txt")
    );
    let together = Limits {
        max_total_declared: 5999,
        ..Limits::default()
    };
    assert!(matches!(
        unpack(&zip, &together),
        Err(DocumentError::Unsafe(_))
    ));
    let few = Limits {
        max_entries: 1,
        ..Limits::default()
    };
    assert!(matches!(unpack(&zip, &few), Err(DocumentError::Unsafe(_))));
}

#[test]
fn what_is_not_an_archive_of_files_is_refused() {
    assert!(matches!(
        unpack(b"", &Limits::default()),
        Err(DocumentError::Empty)
    ));
    let err = unpack(b"%PDF-1.4 not a zip", &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("not a zip archive"), "{err}");
    let err = unpack(&samples::zip_files(&[("empty/", b"")]), &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("holds no files"), "{err}");
    let err = unpack(&samples::report_docx(), &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("a Word document"), "{err}");
}
