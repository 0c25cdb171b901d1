//! A CSV file as Excel and MIS exports write it: UTF-8 with or without a
//! byte-order mark, UTF-16 with one, or Windows-1252 (Excel's "CSV" on an
//! English Windows); read into a header and rows, each row numbered as a
//! spreadsheet shows it.

use encoding_rs::{Encoding, WINDOWS_1252};

use super::RowProblem;

/// The file's header (names trimmed and lower-cased), its data rows, each
/// with its line number in the file, and the rows that could not be read
/// as rows (a cell too many or too few), named.
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
    pub problems: Vec<RowProblem>,
}

/// The text of `bytes`: a byte-order mark decides the encoding; without
/// one, UTF-8 when the bytes are valid UTF-8, else Windows-1252 (which
/// decodes any byte, so this cannot fail).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            let (text, _, _) = WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    }
}

/// Reads the CSV text. Rows whose cells are all empty (Excel writes them
/// below a table that once was longer) are passed over; a row with a
/// different number of cells from the header is a problem of that row,
/// and the others are still read. A file that is empty, cannot be read as
/// CSV or has too many rows is refused whole.
pub fn read(bytes: &[u8], max_rows: usize) -> Result<Table, Vec<RowProblem>> {
    // Line ends made one kind first: the reader numbers rows correctly
    // only by `\n` (with `\r\n` its count runs one behind).
    let text = decode(bytes).replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut refused = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                refused.push(RowProblem::new(
                    line,
                    "",
                    "this row cannot be read as CSV: check its quotes",
                ));
                break;
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let Some(header) = &header else {
            header = Some(
                record
                    .iter()
                    .map(|name| name.trim().to_lowercase())
                    .collect(),
            );
            continue;
        };
        if record.len() != header.len() {
            problems.push(RowProblem::new(
                line,
                "",
                format!(
                    "this row has {} cells and the header has {}: check for a stray comma",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        if rows.len() == max_rows {
            refused.push(RowProblem::new(
                line,
                "",
                format!("a file may have at most {max_rows} rows: split it into smaller files"),
            ));
            break;
        }
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    let Some(header) = header else {
        return Err(vec![RowProblem::new(
            1,
            "",
            "the file is empty: the first row must name the columns",
        )]);
    };
    if refused.is_empty() {
        Ok(Table {
            header,
            rows,
            problems,
        })
    } else {
        Err(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_encodings_decode_alike() {
        let plain = "name\nZoë Brontë\n";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(plain.as_bytes());
        let (cp1252, _, _) = WINDOWS_1252.encode(plain);
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in plain.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        for bytes in [plain.as_bytes(), &bom, &cp1252, &utf16] {
            assert_eq!(decode(bytes), plain);
        }
    }

    #[test]
    fn rows_are_numbered_as_in_the_file_and_blank_rows_skipped() {
        let table = read(b"\xEF\xBB\xBFULN , Name\n1,\"a\nb\"\n,\n2,c\n", 10).unwrap();
        assert_eq!(table.header, ["uln", "name"]);
        assert_eq!(
            table.rows,
            [
                (2, vec!["1".to_owned(), "a\nb".to_owned()]),
                (5, vec!["2".to_owned(), "c".to_owned()])
            ]
        );
    }

    #[test]
    fn short_rows_empty_files_and_too_many_rows_are_named() {
        let table = read(b"a,b\n1\n1,2,3\n4,5\n", 10).unwrap();
        assert_eq!(
            table.problems.iter().map(|p| p.row).collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(table.rows, [(4, vec!["4".to_owned(), "5".to_owned()])]);
        assert_eq!(read(b"", 10).unwrap_err()[0].row, 1);
        assert_eq!(read(b"a\n1\n2\n3\n", 2).unwrap_err()[0].row, 4);
    }
}

#[cfg(test)]
mod line_ends {
    use super::*;

    #[test]
    fn crlf_rows_are_numbered_as_in_the_file() {
        let table = read(b"a,b\r\n1,2\r\n3,4\r\n,\r\n5,6\r\n", 10).unwrap();
        let lines: Vec<u64> = table.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 5]);
    }
}
