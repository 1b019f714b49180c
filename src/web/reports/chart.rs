//! A horizontal bar chart drawn as server-side SVG: one bar per label, scaled to the largest
//! value, with the numbers in the table the page shows beside it.

/// One bar: its label, its value, and where it is drawn.
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// Width out of 300.
    pub width: i64,
    pub y: usize,
}

pub struct BarChart {
    /// Names the chart for screen readers (the `<title>` of the SVG) and its id.
    pub id: &'static str,
    pub title: String,
    pub caption: String,
    pub bars: Vec<Bar>,
    pub height: usize,
}

impl BarChart {
    /// Bars scaled to `scale` (the largest value when `None`), e.g. 1000 for per-mille rates.
    pub fn new(
        id: &'static str,
        title: &str,
        caption: &str,
        values: Vec<(String, i64)>,
        scale: Option<i64>,
    ) -> Self {
        let top = scale
            .unwrap_or_else(|| values.iter().map(|(_, v)| *v).max().unwrap_or(0))
            .max(1);
        let bars: Vec<Bar> = values
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| Bar {
                width: value.clamp(0, top) * 300 / top,
                label,
                value,
                y: i * 30,
            })
            .collect();
        Self {
            id,
            title: title.to_string(),
            caption: caption.to_string(),
            height: bars.len().max(1) * 30,
            bars,
        }
    }
}

/// A rate as "66.6 %" (rounded down to a tenth), and in per mille for its bar.
pub fn rate(part: i64, whole: i64) -> (String, i64) {
    let per_mille = (part * 1000).checked_div(whole).unwrap_or(0);
    (format!("{} %", percent_text(per_mille)), per_mille)
}

/// Per mille as a percentage with one decimal, "66.6", as the CSV columns carry it.
pub fn percent_text(per_mille: i64) -> String {
    format!("{}.{}", per_mille / 10, per_mille % 10)
}
