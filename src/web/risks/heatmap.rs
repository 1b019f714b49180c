//! The register's heatmap: likelihood × consequence as a server-side SVG, with the counts per
//! cell as a table for whoever cannot see the picture.

use crate::db::risks::RiskRow;
use crate::domain::risk::{Consequence, Level, Likelihood, RiskMatrix, Score};

const CELL: usize = 48;
const MARGIN: usize = 28;

pub struct Heatmap {
    pub title: &'static str,
    pub svg: String,
    /// Rows likelihood 5 down to 1, each with counts for consequence 1 to 5.
    pub rows: Vec<(String, Vec<usize>)>,
}

fn fill(level: Level) -> &'static str {
    match level {
        Level::Low => "#cfe8d5",
        Level::Medium => "#fbe7a1",
        Level::High => "#f6b98a",
        Level::Critical => "#ef8f8f",
    }
}

/// Counts the risks per cell of the inherent or residual score and draws them.
pub fn heatmap(
    title: &'static str,
    risks: &[RiskRow],
    matrix: &RiskMatrix,
    residual: bool,
) -> Heatmap {
    let mut counts = [[0usize; 5]; 5];
    for risk in risks {
        let score = if residual {
            risk.residual()
        } else {
            risk.inherent()
        };
        if let Some(score) = score {
            counts[score.likelihood.number() as usize - 1]
                [score.consequence.number() as usize - 1] += 1;
        }
    }
    let size = MARGIN + CELL * 5;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"{title}: counts per cell in the table below\">"
    );
    for likelihood in Likelihood::ALL {
        let row = 5 - likelihood.number() as usize;
        let y = row * CELL;
        svg.push_str(&format!(
            "<text x=\"10\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            y + CELL / 2 + 4,
            likelihood.number()
        ));
        for consequence in Consequence::ALL {
            let col = consequence.number() as usize - 1;
            let x = MARGIN + col * CELL;
            let level = matrix.level(Score::new(likelihood, consequence));
            let n = counts[likelihood.number() as usize - 1][col];
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"{}\" stroke=\"#ffffff\"/>",
                fill(level)
            ));
            if n > 0 {
                svg.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">{n}</text>",
                    x + CELL / 2,
                    y + CELL / 2 + 6
                ));
            }
        }
    }
    for consequence in Consequence::ALL {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            MARGIN + (consequence.number() as usize - 1) * CELL + CELL / 2,
            CELL * 5 + 18,
            consequence.number()
        ));
    }
    svg.push_str("</svg>");
    let rows = Likelihood::ALL
        .into_iter()
        .rev()
        .map(|l| (l.to_string(), counts[l.number() as usize - 1].to_vec()))
        .collect();
    Heatmap { title, svg, rows }
}
