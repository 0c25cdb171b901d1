//! An export's table as an Excel workbook (`rust_xlsxwriter`): one sheet,
//! a bold header row that stays in view, and every cell written as text.
//! A text cell is never a formula, whatever it starts with, so a name
//! typed as `=HYPERLINK(...)` is shown, not run.

use rust_xlsxwriter::{Format, Workbook};

use crate::AppError;
use crate::exports::Table;

/// Excel's limit on a sheet name's length.
const SHEET_NAME_MAX: usize = 31;

pub fn sheet(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    let name: String = table
        .title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(SHEET_NAME_MAX)
        .collect();
    sheet.set_name(name.trim()).map_err(AppError::internal)?;
    for (col, name) in table.header.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *name, &bold)
            .map_err(AppError::internal)?;
    }
    for (at, row) in table.rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            sheet
                .write_string(at as u32 + 1, col as u16, value)
                .map_err(AppError::internal)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(AppError::internal)?;
    workbook.save_to_buffer().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_like_cell_is_text_in_both_forms() {
        let table = Table {
            title: "Audit log 2026-01-01 to 2026-01-31".to_owned(),
            header: vec!["name", "note"],
            rows: vec![vec![
                "=HYPERLINK(\"http://x\",\"y\")".to_owned(),
                "@SUM(1+1)".to_owned(),
            ]],
        };
        let csv = crate::render::csv::sheet(&table);
        assert_eq!(
            csv,
            "name,note\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(1+1)\r\n"
        );
        for starting in ["+1", "-1", "\t1"] {
            assert!(crate::render::csv::cell(starting).starts_with('\''));
        }
        let bytes = sheet(&table).unwrap();
        // An xlsx is a zip: its sheet holds no formula element, and the
        // text is in the shared strings as typed.
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(!xml.contains("<f>"), "{xml}");
        assert!(xml.contains("t=\"s\""), "{xml}");
        let mut strings = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/sharedStrings.xml").unwrap(),
            &mut strings,
        )
        .unwrap();
        assert!(
            strings.contains("=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)")
                || strings.contains("=HYPERLINK(\"http://x\",\"y\")"),
            "{strings}"
        );
    }
}
