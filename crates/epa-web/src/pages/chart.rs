//! Charts drawn on the server as SVG, so they need no script and print as
//! they show. Each has a title and description for screen readers, and
//! every page that shows one also shows its numbers as a table.

use std::fmt::Write;

pub struct Bar {
    pub label: String,
    pub value: i64,
}

/// Horizontal bars, one per label, scaled to the largest value. Labels
/// are escaped: they may come from people's data.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    const ROW: i64 = 28;
    const LABEL_WIDTH: i64 = 200;
    const BAR_WIDTH: i64 = 340;
    let height = ROW * bars.len() as i64 + 8;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">{}</title>",
        LABEL_WIDTH + BAR_WIDTH + 70,
        escape(title)
    );
    for (index, bar) in bars.iter().enumerate() {
        let y = index as i64 * ROW + 4;
        let width = bar.value * BAR_WIDTH / max;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\">{}</text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{width}\" height=\"{}\" class=\"chart-bar\"/>\
             <text x=\"{}\" y=\"{}\" class=\"chart-value\">{}</text>",
            LABEL_WIDTH - 8,
            y + 15,
            escape(&bar.label),
            LABEL_WIDTH,
            ROW - 8,
            LABEL_WIDTH + width + 6,
            y + 15,
            bar.value
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One column of a stacked chart: its label and a value per series.
pub struct Column {
    pub label: String,
    pub values: Vec<i64>,
}

/// Columns stacked by series, first series at the bottom, with the total
/// above each column and a legend underneath. Series are told apart by
/// colour (`chart-series-N`, distinct for colour-blind readers) and by their
/// order in the legend; the page's table gives every number.
pub fn stacked_columns(title: &str, series: &[&str], columns: &[Column]) -> String {
    const PLOT_HEIGHT: i64 = 200;
    const TOP: i64 = 20;
    const LEFT: i64 = 8;
    const STEP: i64 = 48;
    const WIDTH: i64 = 32;
    const LEGEND_ROW: i64 = 20;
    let max = columns
        .iter()
        .map(|column| column.values.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let base = TOP + PLOT_HEIGHT;
    let width = (LEFT * 2 + STEP * columns.len() as i64).max(360);
    let legend_top = base + 36;
    let height = legend_top + LEGEND_ROW * series.len() as i64 + 4;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart chart-wide\" role=\"img\" aria-labelledby=\"history-title\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"history-title\">{}</title>\
         <line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" class=\"chart-baseline\"/>",
        escape(title),
        width - LEFT
    );
    for (index, column) in columns.iter().enumerate() {
        let x = LEFT + index as i64 * STEP + (STEP - WIDTH) / 2;
        let mut top = base;
        for (serie, value) in column.values.iter().enumerate() {
            let tall = value * PLOT_HEIGHT / max;
            if tall > 0 {
                top -= tall;
                let _ = write!(
                    svg,
                    "<rect x=\"{x}\" y=\"{top}\" width=\"{WIDTH}\" height=\"{tall}\" class=\"chart-series-{serie}\"/>"
                );
            }
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-axis\">{}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-axis\">{}</text>",
            x + WIDTH / 2,
            top - 4,
            column.values.iter().sum::<i64>(),
            x + WIDTH / 2,
            base + 16,
            escape(&column.label)
        );
    }
    for (serie, label) in series.iter().enumerate().rev() {
        // The legend lists the top of the stack first, as the eye meets it.
        let y = legend_top + (series.len() - 1 - serie) as i64 * LEGEND_ROW;
        let _ = write!(
            svg,
            "<rect x=\"{LEFT}\" y=\"{y}\" width=\"14\" height=\"14\" class=\"chart-series-{serie}\"/>\
             <text x=\"{}\" y=\"{}\" class=\"chart-label\">{}</text>",
            LEFT + 22,
            y + 12,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The KSB coverage matrix: a row per KSB, a column per evidence item, a
/// filled cell where the item evidences the KSB and a red mark where no
/// item does.
pub fn coverage_matrix(rows: &[(String, Vec<i32>)]) -> String {
    const CELL: i64 = 16;
    const LABEL_WIDTH: i64 = 48;
    const TOP: i64 = 22;
    let columns = rows
        .iter()
        .flat_map(|(_, items)| items.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as i64;
    let width = LABEL_WIDTH + columns * CELL + 8;
    let height = TOP + rows.len() as i64 * CELL + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"coverage-title\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"coverage-title\">KSB coverage: which evidence items evidence each KSB</title>"
    );
    for column in 1..=columns {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"14\" text-anchor=\"middle\" class=\"chart-axis\">{column}</text>",
            LABEL_WIDTH + (column - 1) * CELL + CELL / 2
        );
    }
    for (index, (ksb, items)) in rows.iter().enumerate() {
        let y = TOP + index as i64 * CELL;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-axis\">{}</text>",
            LABEL_WIDTH - 6,
            y + CELL - 4,
            escape(ksb)
        );
        if items.is_empty() {
            let _ = write!(
                svg,
                "<rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{}\" height=\"{}\" class=\"chart-gap\"/>",
                columns * CELL,
                CELL - 2
            );
        }
        for item in items {
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" class=\"chart-bar\"/>",
                LABEL_WIDTH + (*item as i64 - 1) * CELL + 1,
                CELL - 2,
                CELL - 2
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_with_markup_are_text() {
        let svg = bar_chart(
            "<b>t</b>",
            &[Bar {
                label: "<script>x</script>".to_owned(),
                value: 3,
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("width=\"340\""));
    }

    #[test]
    fn stacked_columns_stack_each_series_and_label_each_column() {
        let svg = stacked_columns(
            "Over <time>",
            &["First", "<Second>"],
            &[
                Column {
                    label: "9 Nov".to_owned(),
                    values: vec![2, 2],
                },
                Column {
                    label: "16 Nov".to_owned(),
                    values: vec![0, 1],
                },
            ],
        );
        // Three non-empty segments and two legend swatches.
        assert_eq!(svg.matches("class=\"chart-series-0\"").count(), 2);
        assert_eq!(svg.matches("class=\"chart-series-1\"").count(), 3);
        // The tallest column fills the plot: 2 of 4 is half of 200.
        assert!(svg.contains("height=\"100\""), "{svg}");
        assert!(svg.contains(">4</text>") && svg.contains(">1</text>"));
        assert!(svg.contains("&lt;Second&gt;") && !svg.contains("<Second>"));
        assert!(svg.contains("Over &lt;time&gt;"));
    }

    #[test]
    fn stacked_columns_with_nothing_to_show_draw_no_segment() {
        let svg = stacked_columns(
            "Empty",
            &["Only"],
            &[Column {
                label: "9 Nov".to_owned(),
                values: vec![0],
            }],
        );
        assert_eq!(svg.matches("class=\"chart-series-0\"").count(), 1);
        assert!(svg.contains(">0</text>"));
    }

    #[test]
    fn the_coverage_matrix_marks_each_covered_cell_and_each_gap() {
        let svg = coverage_matrix(&[("K2".to_owned(), vec![1, 3]), ("<K5>".to_owned(), vec![])]);
        assert_eq!(svg.matches("class=\"chart-bar\"").count(), 2);
        assert_eq!(svg.matches("class=\"chart-gap\"").count(), 1);
        assert!(svg.contains("&lt;K5&gt;") && !svg.contains("<K5>"));
    }
}
