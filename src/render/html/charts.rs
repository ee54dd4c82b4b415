//! Inline SVG: progress bars and sparklines in cells, and the charts.
//!
//! Coordinates are computed from finite values only and written with at most
//! one decimal; anything non-finite is left out, so no `NaN` reaches the page.
//! Colours are presentation attributes, so a chart copied out of the page
//! keeps them.

use chrono::NaiveDate;

use super::super::{
    Chart, ChartKind, finite_range, fraction, grid_names, human_percent, iso_date, trend_summary,
    with_unit,
};
use super::escape;

/// Blue: the actual values.
const ACTUAL: &str = "#0969da";
/// Green: the target.
const TARGET: &str = "#1a7f37";
/// Grey: the expected pace and the axes.
const PACE: &str = "#57606a";
/// Light grey: axes and tracks.
const AXIS: &str = "#8c959f";
/// Purple: the forecast.
const FORECAST: &str = "#8250df";

/// Labels longer than this are cut (with `…`) in SVG; the full text is in the
/// element's tooltip.
const MAX_LABEL_CHARS: usize = 28;

/// Points drawn as dots up to this many values.
const MAX_DOTS: usize = 60;

/// A coordinate with at most one decimal (`12.5`, `40`), `0` if not finite.
fn n(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
    if s == "-0" { "0".to_owned() } else { s }
}

/// `v` placed between `a` (at `lo`) and `b` (at `hi`).
fn place(v: f64, lo: f64, hi: f64, a: f64, b: f64) -> f64 {
    if hi > lo {
        a + fraction(v, lo, hi) * (b - a)
    } else {
        (a + b) / 2.0
    }
}

/// `text` cut to `max` characters with `…`.
fn cut(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut s: String = one_line.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A small bar and the percentage: the bar is clamped to 0..100, the number
/// is the real value. `—` when not finite.
pub(super) fn progress(points: f64) -> String {
    if !points.is_finite() {
        return "<span class=\"null\">—</span>".to_owned();
    }
    let width = points.clamp(0.0, 100.0);
    format!(
        "<span class=\"progress\"><svg class=\"bar\" viewBox=\"0 0 100 10\" width=\"80\" height=\"10\" aria-hidden=\"true\">\
<rect class=\"track\" width=\"100\" height=\"10\" rx=\"2\" fill=\"#eaeef2\"/>\
<rect class=\"fill\" width=\"{}\" height=\"10\" rx=\"2\" fill=\"{ACTUAL}\"/></svg>\
<span class=\"value\">{}</span></span>",
        n(width),
        escape(&human_percent(points))
    )
}

/// A small line of the finite `values` (oldest first), the last one dotted;
/// `—` when there is none.
pub(super) fn sparkline(values: &[f64]) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let Some((lo, hi)) = finite_range(&finite) else {
        return "<span class=\"null\">—</span>".to_owned();
    };
    let (w, h) = (80.0, 18.0);
    let count = finite.len();
    let coords: Vec<(f64, f64)> = finite
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = if count > 1 {
                2.0 + i as f64 / (count - 1) as f64 * (w - 4.0)
            } else {
                w / 2.0
            };
            (x, place(*v, lo, hi, h - 2.0, 2.0))
        })
        .collect();
    let points: Vec<String> = coords
        .iter()
        .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
        .collect();
    let label: Vec<String> = finite.iter().map(|v| super::human_float(*v)).collect();
    let mut svg = format!(
        "<svg class=\"spark\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\">\
<title>{}</title><polyline class=\"spark\" points=\"{}\" fill=\"none\" stroke=\"{ACTUAL}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>",
        n(w),
        n(h),
        n(w),
        n(h),
        escape(&label.join(", ")),
        points.join(" ")
    );
    if let Some((x, y)) = coords.last() {
        svg.push_str(&format!(
            "<circle class=\"last\" cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{ACTUAL}\"/>",
            n(*x),
            n(*y)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A chart as a figure: an SVG for trends and bars, a table for grids.
pub(super) fn chart(chart: &Chart, html: &mut String) {
    let name = match &chart.title {
        Some(t) => t.clone(),
        None => match &chart.kind {
            ChartKind::Trend { .. } => "Trend".to_owned(),
            ChartKind::Bars { .. } => "Bars".to_owned(),
            ChartKind::Grid { .. } => "Grid".to_owned(),
        },
    };
    html.push_str(&format!("<figure class=\"chart {}\">\n", chart.kind.name()));
    match &chart.kind {
        ChartKind::Trend { .. } => trend(&name, &chart.kind, html),
        ChartKind::Bars { unit, bars } => bar_chart(&name, unit.as_deref(), bars, html),
        ChartKind::Grid {
            row_label,
            col_label,
            rows,
            cols,
            cells,
        } => grid(&name, (row_label, col_label), rows, cols, cells, html),
    }
    html.push_str("</figure>\n");
}

/// Days since the common era, as a coordinate.
fn day(d: NaiveDate) -> f64 {
    f64::from(chrono::Datelike::num_days_from_ce(&d))
}

/// A trend: the actual values as a line, the target as a dashed line, the
/// expected pace as a dotted line from (start, baseline) to (due, target),
/// the forecast as a circle; first and last dates under the x axis, the
/// lowest and highest value beside the y axis.
fn trend(name: &str, kind: &ChartKind, html: &mut String) {
    let ChartKind::Trend {
        unit,
        points,
        baseline,
        target,
        start,
        due,
        forecast,
    } = kind
    else {
        return;
    };
    let unit = unit.as_deref();
    let (w, h) = (640.0, 300.0);
    let (left, right, top, bottom) = (76.0, 616.0, 20.0, 226.0);

    let mut actual: Vec<(NaiveDate, f64)> = points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    actual.sort_by_key(|(d, _)| *d);
    let pace = match (start, due) {
        (Some(s), Some(d)) if baseline.is_finite() && target.is_finite() => {
            Some(((*s, *baseline), (*d, *target)))
        }
        _ => None,
    };
    let forecast = forecast.filter(|(_, v)| v.is_finite());

    // The domains: every date and value that is drawn.
    let mut dates: Vec<f64> = actual.iter().map(|(d, _)| day(*d)).collect();
    let mut values: Vec<f64> = actual.iter().map(|(_, v)| *v).collect();
    if let Some(((s, b), (d, t))) = pace {
        dates.extend([day(s), day(d)]);
        values.extend([b, t]);
    }
    if let Some((d, v)) = forecast {
        dates.push(day(d));
        values.push(v);
    }
    if target.is_finite() {
        values.push(*target);
    }
    let (d_lo, d_hi) = finite_range(&dates).unwrap_or((0.0, 0.0));
    let (v_lo, v_hi) = finite_range(&values).unwrap_or((0.0, 0.0));
    let pad = if v_hi > v_lo {
        (v_hi / 2.0 - v_lo / 2.0) * 0.16
    } else {
        (v_lo.abs() * 0.1).max(1.0)
    };
    let y_lo = Some(v_lo - pad).filter(|v| v.is_finite()).unwrap_or(v_lo);
    let y_hi = Some(v_hi + pad).filter(|v| v.is_finite()).unwrap_or(v_hi);
    let x = |d: NaiveDate| place(day(d), d_lo, d_hi, left, right);
    let y = |v: f64| place(v, y_lo, y_hi, bottom, top);

    html.push_str(&format!(
        "<svg class=\"chart trend\" viewBox=\"0 0 {} {}\" role=\"img\">\n<title>{}</title>\n<desc>{}</desc>\n",
        n(w),
        n(h),
        escape(name),
        escape(&trend_summary(kind))
    ));
    // Axes.
    html.push_str(&format!(
        "<line class=\"axis\" x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"{AXIS}\"/>\n\
<line class=\"axis\" x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"{AXIS}\"/>\n",
        l = n(left),
        r = n(right),
        t = n(top),
        b = n(bottom)
    ));
    // y labels: the lowest and the highest value drawn.
    if !values.is_empty() {
        let mut ticks = vec![v_lo];
        if v_hi > v_lo {
            ticks.push(v_hi);
        }
        for v in ticks {
            html.push_str(&format!(
                "<line class=\"tick\" x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"{AXIS}\"/>\
<text class=\"y-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                n(left - 4.0),
                n(left),
                n(left - 7.0),
                n(y(v) + 4.0),
                escape(&cut(&with_unit(v, unit), 12)),
                yy = n(y(v)),
            ));
        }
    }
    // x labels: the first and the last date.
    if !dates.is_empty() {
        let first = NaiveDate::from_num_days_from_ce_opt(d_lo as i32);
        let last = NaiveDate::from_num_days_from_ce_opt(d_hi as i32);
        let label_y = n(bottom + 18.0);
        if let Some(first) = first {
            let anchor = if d_hi > d_lo { "start" } else { "middle" };
            html.push_str(&format!(
                "<text class=\"x-label\" x=\"{}\" y=\"{label_y}\" text-anchor=\"{anchor}\">{}</text>\n",
                n(x(first)),
                iso_date(first)
            ));
        }
        if let Some(last) = last.filter(|_| d_hi > d_lo) {
            html.push_str(&format!(
                "<text class=\"x-label\" x=\"{}\" y=\"{label_y}\" text-anchor=\"end\">{}</text>\n",
                n(x(last)),
                iso_date(last)
            ));
        }
    }
    // Target and pace.
    if target.is_finite() {
        let ty = n(y(*target));
        html.push_str(&format!(
            "<line class=\"target\" x1=\"{}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\" stroke=\"{TARGET}\" stroke-width=\"1.5\" stroke-dasharray=\"8 5\"/>\n\
<text class=\"target-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{TARGET}\">target {}</text>\n",
            n(left),
            n(right),
            n(right),
            n(y(*target) - 5.0),
            escape(&cut(&with_unit(*target, unit), 20))
        ));
    }
    if let Some(((s, b), (d, t))) = pace {
        html.push_str(&format!(
            "<line class=\"pace\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{PACE}\" stroke-width=\"1.5\" stroke-dasharray=\"2 4\"/>\n",
            n(x(s)),
            n(y(b)),
            n(x(d)),
            n(y(t))
        ));
    }
    // The actual values.
    if actual.is_empty() {
        html.push_str(&format!(
            "<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">No values yet</text>\n",
            n((left + right) / 2.0),
            n((top + bottom) / 2.0)
        ));
    } else {
        let coords: Vec<String> = actual
            .iter()
            .map(|(d, v)| format!("{},{}", n(x(*d)), n(y(*v))))
            .collect();
        html.push_str(&format!(
            "<polyline class=\"actual\" points=\"{}\" fill=\"none\" stroke=\"{ACTUAL}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n",
            coords.join(" ")
        ));
        if actual.len() <= MAX_DOTS {
            for (d, v) in &actual {
                html.push_str(&format!(
                    "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{ACTUAL}\"><title>{}: {}</title></circle>\n",
                    n(x(*d)),
                    n(y(*v)),
                    iso_date(*d),
                    escape(&with_unit(*v, unit))
                ));
            }
        }
    }
    if let Some((d, v)) = forecast {
        if let Some((ld, lv)) = actual.last() {
            html.push_str(&format!(
                "<line class=\"forecast-line\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{FORECAST}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n",
                n(x(*ld)),
                n(y(*lv)),
                n(x(d)),
                n(y(v))
            ));
        }
        html.push_str(&format!(
            "<circle class=\"forecast\" cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"#fff\" stroke=\"{FORECAST}\" stroke-width=\"2\"><title>forecast {}: {}</title></circle>\n",
            n(x(d)),
            n(y(v)),
            iso_date(d),
            escape(&with_unit(v, unit))
        ));
    }
    // Legend.
    let mut lx = left;
    let ly = h - 22.0;
    let mut legend = |html: &mut String, class: &str, stroke: &str, dash: &str, text: &str| {
        html.push_str(&format!(
            "<line class=\"legend-{class}\" x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>\
<text x=\"{}\" y=\"{}\">{text}</text>\n",
            n(lx),
            n(lx + 22.0),
            n(lx + 28.0),
            n(ly + 4.0),
            yy = n(ly),
        ));
        lx += 40.0 + text.len() as f64 * 6.5;
    };
    if !actual.is_empty() {
        legend(html, "actual", ACTUAL, "", "actual");
    }
    if target.is_finite() {
        legend(
            html,
            "target",
            TARGET,
            " stroke-dasharray=\"8 5\"",
            "target",
        );
    }
    if pace.is_some() {
        legend(
            html,
            "pace",
            PACE,
            " stroke-dasharray=\"2 4\"",
            "expected pace",
        );
    }
    if forecast.is_some() {
        legend(
            html,
            "forecast",
            FORECAST,
            " stroke-dasharray=\"4 3\"",
            "forecast",
        );
    }
    html.push_str("</svg>\n");
    html.push_str(&format!(
        "<p class=\"summary\">{}</p>\n",
        escape(&trend_summary(kind))
    ));
}

/// Horizontal bars, one per label, scaled to the largest value; negative and
/// non-finite values get an empty bar.
fn bar_chart(name: &str, unit: Option<&str>, bars: &[(String, f64)], html: &mut String) {
    if bars.is_empty() {
        html.push_str("<p class=\"empty\">No data.</p>\n");
        return;
    }
    let (w, top, row, bar_h) = (640.0, 10.0, 28.0, 18.0);
    let (label_x, bar_x, bar_max) = (178.0, 186.0, 360.0);
    let h = top * 2.0 + row * bars.len() as f64;
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    html.push_str(&format!(
        "<svg class=\"chart bars\" viewBox=\"0 0 {} {}\" role=\"img\">\n<title>{}</title>\n",
        n(w),
        n(h),
        escape(name)
    ));
    for (i, (label, v)) in bars.iter().enumerate() {
        let y0 = top + row * i as f64;
        let width = if max > 0.0 && v.is_finite() && *v > 0.0 {
            place(*v, 0.0, max, 0.0, bar_max)
        } else {
            0.0
        };
        let value = with_unit(*v, unit);
        html.push_str(&format!(
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\" fill=\"{ACTUAL}\"><title>{}: {}</title></rect>\
<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>\n",
            n(label_x),
            n(y0 + bar_h / 2.0 + 4.0 + (row - bar_h) / 2.0),
            escape(&cut(label, MAX_LABEL_CHARS)),
            n(bar_x),
            n(y0 + (row - bar_h) / 2.0),
            n(width),
            n(bar_h),
            escape(label),
            escape(&value),
            n(bar_x + width + 6.0),
            n(y0 + bar_h / 2.0 + 4.0 + (row - bar_h) / 2.0),
            escape(&cut(&value, 20)),
        ));
    }
    html.push_str(&format!(
        "<line class=\"axis\" x1=\"{bx}\" y1=\"{}\" x2=\"{bx}\" y2=\"{}\" stroke=\"{AXIS}\"/>\n</svg>\n",
        n(top),
        n(h - top),
        bx = n(bar_x),
    ));
}

/// A grid of names as a table: column headings on top, row headings on the
/// left, cells shaded from low (bottom left) to high (top right).
fn grid(
    name: &str,
    (row_label, col_label): (&str, &str),
    rows: &[String],
    cols: &[String],
    cells: &[Vec<Vec<String>>],
    html: &mut String,
) {
    html.push_str(&format!(
        "<table class=\"grid\" aria-label=\"{}\">\n<thead><tr><th class=\"corner\" scope=\"col\">{} ↓ {} →</th>",
        escape(name),
        escape(row_label),
        escape(col_label)
    ));
    for col in cols {
        html.push_str(&format!("<th scope=\"col\">{}</th>", escape(col)));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let (nr, nc) = (rows.len(), cols.len());
    for (r, row) in rows.iter().enumerate() {
        html.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(row)));
        for c in 0..nc {
            // 0 at the bottom left, 2 at the top right.
            let up = if nr > 1 {
                (nr - 1 - r) as f64 / (nr - 1) as f64
            } else {
                0.5
            };
            let right = if nc > 1 {
                c as f64 / (nc - 1) as f64
            } else {
                0.5
            };
            let class = match up + right {
                s if s < 0.67 => "low",
                s if s < 1.34 => "mid",
                _ => "high",
            };
            let names = grid_names(cells, r, c);
            html.push_str(&format!("<td class=\"{class}\">"));
            if names.is_empty() {
                html.push_str("<span class=\"null\">—</span>");
            } else {
                html.push_str(&format!("<span class=\"count\">{}</span><ul>", names.len()));
                for name in names {
                    html.push_str(&format!("<li>{}</li>", escape(name)));
                }
                html.push_str("</ul>");
            }
            html.push_str("</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.345), "12.3");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(place(5.0, 0.0, 10.0, 0.0, 100.0), 50.0);
        assert_eq!(place(5.0, 5.0, 5.0, 0.0, 100.0), 50.0);
    }

    #[test]
    fn cuts_long_labels() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("ab\ncd", 10), "ab cd");
    }

    #[test]
    fn sparkline_svg() {
        let s = sparkline(&[1.0, f64::NAN, 3.0]);
        assert!(s.starts_with("<svg class=\"spark\""), "{s}");
        assert!(s.contains("points=\"2,16 78,2\""), "{s}");
        assert!(!s.contains("NaN"));
        assert_eq!(sparkline(&[]), "<span class=\"null\">—</span>");
    }
}
