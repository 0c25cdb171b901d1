//! Placeholders for statements that write several rows at once.

/// `($1, .., $W), ($W+1, .., $2W), ...`: `rows` rows of `width`
/// placeholders, numbered in order, for a multi-row `VALUES`. Callers
/// keep `rows * width` below either database's limit on parameters
/// (32,766 for SQLite, 65,535 for PostgreSQL).
pub(crate) fn rows(rows: usize, width: usize) -> String {
    let rows: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=width)
                .map(|i| format!("${}", row * width + i))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    rows.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_are_numbered_on_from_one_row_to_the_next() {
        assert_eq!(super::rows(1, 2), "($1, $2)");
        assert_eq!(super::rows(3, 2), "($1, $2), ($3, $4), ($5, $6)");
    }
}
