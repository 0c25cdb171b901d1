//! Numbered placeholders for statements that bind a list of values (an
//! `IN` list, a multi-row `VALUES`): a list cannot be bound as one value
//! on both databases. Callers keep the number of values below either
//! database's limit on parameters (32,766 for SQLite, 65,535 for
//! PostgreSQL).

/// `$FIRST, $FIRST+1, ...`: `count` placeholders numbered on from `first`.
pub(crate) fn list(first: usize, count: usize) -> String {
    let params: Vec<String> = (first..first + count).map(|i| format!("${i}")).collect();
    params.join(", ")
}

/// `($1, .., $W), ($W+1, .., $2W), ...`: `rows` rows of `width`
/// placeholders, numbered in order, for a multi-row `VALUES`.
pub(crate) fn rows(rows: usize, width: usize) -> String {
    let rows: Vec<String> = (0..rows)
        .map(|row| format!("({})", list(row * width + 1, width)))
        .collect();
    rows.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_list_is_numbered_on_from_its_first() {
        assert_eq!(super::list(1, 3), "$1, $2, $3");
        assert_eq!(super::list(7, 2), "$7, $8");
        assert_eq!(super::list(2, 0), "");
    }

    #[test]
    fn rows_are_numbered_on_from_one_row_to_the_next() {
        assert_eq!(super::rows(1, 2), "($1, $2)");
        assert_eq!(super::rows(3, 2), "($1, $2), ($3, $4), ($5, $6)");
    }
}
