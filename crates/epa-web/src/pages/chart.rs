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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
}
