//! Tests of the HTML renderer and of charts and sparklines in every format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use yardstick::render::{
    Cell, Chart, ChartKind, Column, Doc, Format, Part, Record, RenderOptions, Table,
    render_to_string, sparkline,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn out(doc: &Doc, format: Format) -> String {
    render_to_string(doc, format, &RenderOptions::plain()).unwrap()
}

fn trend_chart() -> Chart {
    Chart::new(
        "revenue_trend",
        ChartKind::Trend {
            unit: Some("k€".into()),
            points: vec![
                (date(2025, 1, 6), 10.0),
                (date(2025, 1, 20), 14.0),
                (date(2025, 2, 3), 13.5),
                (date(2025, 2, 17), 19.0),
            ],
            baseline: 10.0,
            target: 40.0,
            start: Some(date(2025, 1, 1)),
            due: Some(date(2025, 3, 31)),
            forecast: Some((date(2025, 3, 31), 31.0)),
        },
    )
    .with_title("Revenue <script>alert(1)</script>")
}

fn bars_chart() -> Chart {
    Chart::new(
        "ratings",
        ChartKind::Bars {
            unit: None,
            bars: vec![
                ("exceeds".into(), 2.0),
                ("meets".into(), 5.0),
                ("below & <b>".into(), 1.0),
                ("unacceptable".into(), 0.0),
            ],
        },
    )
    .with_title("Rating distribution")
}

fn grid_chart() -> Chart {
    let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    Chart::new(
        "nine_box",
        ChartKind::Grid {
            row_label: "Potential".into(),
            col_label: "Performance".into(),
            rows: vec!["high".into(), "medium".into(), "low".into()],
            cols: vec!["low".into(), "medium".into(), "high".into()],
            cells: vec![
                vec![names(&[]), names(&["bob"]), names(&["alice", "<i>eve</i>"])],
                vec![names(&[]), names(&["carol"]), names(&[])],
                // A short row: the missing cells are empty.
                vec![names(&["dan"])],
            ],
        },
    )
    .with_title("9-box")
}

fn people_table() -> Table {
    Table::new(
        "goals",
        vec![
            Column::new("title", "Title"),
            Column::new("status", "Status"),
            Column::new("progress", "Progress"),
            Column::new("owner", "Owner"),
            Column::new("trend", "Trend"),
            Column::new("weight", "Weight"),
        ],
    )
    .with_row(vec![
        Cell::tree(0, "Grow revenue"),
        Cell::status("on-track"),
        Cell::Progress(62.5),
        Cell::text("alice"),
        Cell::sparkline(vec![1.0, 3.0, 2.0, 5.0]),
        Cell::Float(0.5),
    ])
    .with_row(vec![
        Cell::tree(1, "Close <b>EU</b> deals & \"more\""),
        Cell::status("off-track"),
        Cell::Progress(f64::NAN),
        Cell::Null,
        Cell::sparkline(vec![]),
        Cell::Float(f64::INFINITY),
    ])
}

fn full_doc() -> Doc {
    Doc::new("person")
        .with_title("Alice's review <script>alert(1)</script>")
        .with_record(
            Record::new("person")
                .with_title("Alice")
                .field("handle", "Handle", "alice")
                .field("attainment", "Attainment", Cell::Percent(71.4))
                .field("manager", "Manager", None::<String>),
        )
        .with_table(people_table().with_title("Goals"))
        .with_chart(trend_chart())
        .with_chart(bars_chart())
        .with_chart(grid_chart())
}

/// Every `<tag` opened is closed, for the tags that must be.
fn balanced(html: &str, tag: &str) -> bool {
    let open =
        html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
    open == html.matches(&format!("</{tag}>")).count()
}

#[test]
fn html_is_one_self_contained_page() {
    let html = out(&full_doc(), Format::Html);
    assert!(html.starts_with("<!doctype html>\n"), "{html}");
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<style>") && html.contains("@media print"));
    assert!(html.trim_end().ends_with("</html>"));
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{html}");
    assert!(!lower.contains("http"), "no URL at all");
    assert!(!lower.contains("//"), "no protocol-relative URL");
    assert!(!lower.contains("url("), "no CSS url()");
    assert!(!lower.contains("@import"));
    assert!(!lower.contains("<link") && !lower.contains("<img") && !lower.contains("src="));
    assert!(!html.contains("NaN") && !lower.contains("inf"), "{html}");
    for tag in [
        "svg", "table", "tr", "td", "th", "section", "figure", "title", "text", "ul", "li",
        "thead", "tbody", "html", "head", "body", "main", "style",
    ] {
        assert!(balanced(&html, tag), "<{tag}> not balanced");
    }
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
}

#[test]
fn html_title_is_escaped() {
    let html = out(&full_doc(), Format::Html);
    assert!(
        html.contains("<title>Alice&#39;s review &lt;script&gt;alert(1)&lt;/script&gt;</title>")
    );
    assert!(html.contains("<h1>Alice&#39;s review &lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    // The chart title, in the heading and in the SVG title.
    assert!(html.contains("<h2>Revenue &lt;script&gt;alert(1)&lt;/script&gt;</h2>"));
    assert!(html.contains("<title>Revenue &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    // Data text in cells, bars and grids.
    assert!(html.contains("Close &lt;b&gt;EU&lt;/b&gt; deals &amp; &quot;more&quot;"));
    assert!(html.contains("below &amp; &lt;b&gt;"));
    assert!(html.contains("<li>&lt;i&gt;eve&lt;/i&gt;</li>"));
    assert!(!html.contains("<b>") && !html.contains("<i>"));
    // The kind titles a page without a title.
    let plain = out(&Doc::table("goals", people_table()), Format::Html);
    assert!(plain.contains("<title>goals</title>"));
}

#[test]
fn html_tables_and_records() {
    let html = out(&full_doc(), Format::Html);
    // A record: a two-column table.
    assert!(html.contains("<table class=\"record\">"));
    assert!(html.contains("<tr><th scope=\"row\">Handle</th><td class=\"text\">alice</td></tr>"));
    assert!(html.contains("<th scope=\"row\">Attainment</th><td class=\"value\">71%</td>"));
    assert!(html.contains(
        "<th scope=\"row\">Manager</th><td class=\"null\"><span class=\"null\">—</span></td>"
    ));
    // A table with a header; numbers right-aligned.
    assert!(html.contains("<thead><tr><th scope=\"col\">Title</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"num\">Progress</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"num\">Weight</th>"));
    assert!(html.contains("<td class=\"num\">0.5</td>"));
    assert!(html.contains("<td class=\"num\">—</td>"), "infinite weight");
    // Progress: a bar and the number.
    assert!(html.contains("<rect class=\"fill\" width=\"62.5\""));
    assert!(html.contains("<span class=\"value\">63%</span>"));
    // Status badges in the terminal's colour groups.
    assert!(html.contains("<span class=\"badge good\">on-track</span>"));
    assert!(html.contains("<span class=\"badge bad\">off-track</span>"));
    // Tree indentation.
    assert!(
        html.contains("<span style=\"padding-left: 1.25em\"><span class=\"guide\">└─ </span>Close")
    );
    // Sparklines: an SVG polyline, or — when empty.
    assert!(html.contains("<td class=\"spark\"><svg class=\"spark\""));
    assert!(html.contains("<polyline class=\"spark\""));
    assert!(html.contains("<td class=\"spark\"><span class=\"null\">—</span></td>"));
}

#[test]
fn html_charts_have_their_svg_elements() {
    let html = out(&full_doc(), Format::Html);
    assert!(html.contains("<svg class=\"chart trend\" viewBox=\"0 0 640 300\" role=\"img\">"));
    assert!(html.contains("<polyline class=\"actual\""));
    assert!(html.contains("<line class=\"target\""));
    assert!(html.contains("<line class=\"pace\""));
    assert!(html.contains("<circle class=\"forecast\""));
    assert!(html.contains(">2025-01-01</text>"), "first date");
    assert!(html.contains(">2025-03-31</text>"), "last date");
    assert!(html.contains(">10 k€</text>"), "lowest value");
    assert!(html.contains(">40 k€</text>"), "highest value");
    assert!(html.contains("target 40 k€"));
    assert_eq!(html.matches("<rect class=\"bar\"").count(), 4);
    assert!(html.contains(">meets</text>"));
    assert!(
        html.contains("<rect class=\"bar\" x=\"186\" y=\"43\" width=\"360\""),
        "the largest bar is full width"
    );
    assert!(html.contains("<table class=\"grid\" aria-label=\"9-box\">"));
    assert!(html.contains("<li>alice</li>") && html.contains("<li>dan</li>"));
    assert!(html.contains("Potential ↓ Performance →"));
}

#[test]
fn trend_without_dates_or_values_draws_what_it_can() {
    let chart = Chart::new(
        "t",
        ChartKind::Trend {
            unit: None,
            points: vec![(date(2025, 1, 1), f64::NAN)],
            baseline: f64::NAN,
            target: 5.0,
            start: None,
            due: Some(date(2025, 6, 1)),
            forecast: Some((date(2025, 6, 1), f64::INFINITY)),
        },
    );
    let html = out(&Doc::new("trend").with_chart(chart), Format::Html);
    assert!(!html.contains("class=\"pace\""), "no start: no pace");
    assert!(!html.contains("class=\"forecast\""));
    assert!(!html.contains("class=\"actual\""));
    assert!(html.contains("No values yet"));
    assert!(html.contains("class=\"target\""));
    assert!(!html.contains("NaN") && !html.to_ascii_lowercase().contains("inf"));
}

#[test]
fn html_empty_table_shows_the_message() {
    let doc = Doc::table("goals", Table::new("goals", vec![Column::new("id", "ID")]))
        .with_empty_message("No goals <match>.");
    let html = out(&doc, Format::Html);
    assert!(html.contains("<p class=\"empty\">No goals &lt;match&gt;.</p>"));
    assert!(!html.contains("<table"));
}

#[test]
fn html_format_name_and_extension() {
    assert_eq!("html".parse::<Format>().unwrap(), Format::Html);
    assert_eq!(Format::Html.name(), "html");
    assert!(Format::ALL.contains(&Format::Html));
    for p in ["a.html", "b.HTM"] {
        assert_eq!(
            Format::from_extension(std::path::Path::new(p)),
            Some(Format::Html)
        );
    }
}

// ------------------------------------------------- charts in the other formats

#[test]
fn json_writes_charts_as_objects() {
    let s = out(&full_doc(), Format::Json);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let t = &v["revenue_trend"];
    assert_eq!(t["kind"], "trend");
    assert_eq!(t["unit"], "k€");
    assert_eq!(t["points"][0]["date"], "2025-01-06");
    assert_eq!(t["points"][3]["value"], 19.0);
    assert_eq!(t["baseline"], 10.0);
    assert_eq!(t["target"], 40.0);
    assert_eq!(t["start"], "2025-01-01");
    assert_eq!(t["due"], "2025-03-31");
    assert_eq!(t["forecast"]["value"], 31.0);
    let b = &v["ratings"];
    assert_eq!(b["kind"], "bars");
    assert_eq!(b["title"], "Rating distribution");
    assert_eq!(b["bars"][1]["label"], "meets");
    assert_eq!(b["bars"][1]["value"], 5.0);
    let g = &v["nine_box"];
    assert_eq!(g["kind"], "grid");
    assert_eq!(g["rows"][0], "high");
    assert_eq!(g["cells"][0][2][0], "alice");
    // Ragged input comes out rows × cols.
    assert_eq!(g["cells"][2].as_array().unwrap().len(), 3);
    assert_eq!(g["cells"][2][2].as_array().unwrap().len(), 0);
    // Sparklines are arrays of (finite) numbers.
    assert_eq!(
        v["goals"][0]["trend"],
        serde_json::json!([1.0, 3.0, 2.0, 5.0])
    );
    assert_eq!(v["goals"][1]["trend"], serde_json::json!([]));
}

#[test]
fn json_chart_non_finite_is_null() {
    let chart = Chart::new(
        "t",
        ChartKind::Trend {
            unit: None,
            points: vec![(date(2025, 1, 1), f64::NAN)],
            baseline: f64::INFINITY,
            target: f64::NAN,
            start: None,
            due: None,
            forecast: None,
        },
    );
    let s = out(&Doc::new("x").with_chart(chart), Format::Json);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert!(v["t"]["points"][0]["value"].is_null());
    assert!(v["t"]["baseline"].is_null() && v["t"]["target"].is_null());
    assert!(v["t"]["title"].is_null() && v["t"]["forecast"].is_null());
}

#[test]
fn delimited_formats_skip_charts_and_take_the_first_table() {
    let doc = Doc::new("x").with_chart(bars_chart()).with_table(
        Table::new("t", vec![Column::new("n", "N"), Column::new("s", "S")]).with_row(vec![
            Cell::Int(1),
            Cell::sparkline(vec![-3.5, f64::NAN, 2.0]),
        ]),
    );
    assert_eq!(out(&doc, Format::Csv), "n,s\r\n1,-3.5 2\r\n");
    assert_eq!(out(&doc, Format::Tsv), "n\ts\n1\t-3.5 2\n");
    assert_eq!(out(&doc, Format::Jsonl), "{\"n\":1,\"s\":[-3.5,2.0]}\n");
    let only_chart = Doc::new("x").with_chart(trend_chart());
    assert_eq!(out(&only_chart, Format::Csv), "");
    assert_eq!(out(&only_chart, Format::Jsonl), "");
}

#[test]
fn table_prints_charts_as_text() {
    let s = out(&full_doc(), Format::Table);
    assert!(
        s.contains(
            "▁▄▄█  latest 19 k€ (2025-02-17) → target 40 k€ by 2025-03-31 · forecast 31 k€ on 2025-03-31"
        ),
        "{s}"
    );
    assert!(s.contains("meets         ████████████████████ 5"), "{s}");
    assert!(s.contains("exceeds       ████████ 2"), "{s}");
    assert!(s.contains("unacceptable   0"), "{s}");
    assert!(s.contains("Potential ↓ Performance →"), "{s}");
    assert!(s.contains("alice, <i>eve</i>"), "{s}");
    assert!(s.contains("▁▅▃█"), "sparkline cell: {s}");
    assert!(s.lines().all(|l| l == l.trim_end()));
}

#[test]
fn markdown_prints_charts_as_text() {
    let s = out(&full_doc(), Format::Markdown);
    assert!(
        s.contains("### Revenue \\<script\\>alert(1)\\</script\\>"),
        "{s}"
    );
    assert!(
        s.contains("▁▄▄█  latest 19 k€ (2025-02-17) → target 40 k€"),
        "{s}"
    );
    assert!(s.contains("- meets: ████████████████████ 5\n"), "{s}");
    assert!(s.contains("- below & \\<b\\>: ████ 1\n"), "{s}");
    assert!(
        s.contains("| Potential ↓ Performance → | low | medium | high |"),
        "{s}"
    );
    assert!(
        s.contains("| high | — | bob | alice, \\<i\\>eve\\</i\\> |"),
        "{s}"
    );
    assert!(s.contains("| low | dan | — | — |"), "{s}");
    assert!(s.contains("| ▁▅▃█ |"), "{s}");
}

#[test]
fn sparkline_text() {
    assert_eq!(
        sparkline(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
        "▁▂▃▄▅▆▇█"
    );
    assert_eq!(sparkline(&[4.0, 4.0]), "▄▄");
    assert_eq!(sparkline(&[]), "—");
}

#[test]
fn chart_part_accessors() {
    let part = Part::from(bars_chart());
    assert_eq!(part.key(), "ratings");
    assert_eq!(part.title(), Some("Rating distribution"));
    let doc = Doc::new("x")
        .with_chart(grid_chart())
        .with_table(people_table());
    assert_eq!(doc.first_table().map(|t| t.key), Some("goals"));
    assert!(doc.first_record().is_none());
}

// ---------------------------------------------------------------- properties

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Text that often holds markup, quotes and control characters.
    fn nasty() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[<>&\"'a-z /=\\\\\r\n\t]{0,16}",
            Just("<script>alert(1)</script>".to_owned()),
            Just("</svg><script>x</script>".to_owned()),
            Just("\"><script>".to_owned()),
            Just("\\<script>".to_owned()),
        ]
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            -1e3..1e3_f64,
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::MAX),
            Just(-f64::MAX),
            Just(0.0),
        ]
    }

    fn day() -> impl Strategy<Value = NaiveDate> {
        (1_i32..3_000_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default())
    }

    fn any_cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            Just(Cell::Null),
            nasty().prop_map(Cell::Text),
            any::<i64>().prop_map(Cell::Int),
            number().prop_map(Cell::Float),
            number().prop_map(Cell::Percent),
            number().prop_map(Cell::Progress),
            any::<bool>().prop_map(Cell::Bool),
            nasty().prop_map(Cell::Status),
            (any::<usize>(), nasty()).prop_map(|(depth, text)| Cell::Tree { depth, text }),
            day().prop_map(Cell::Date),
            prop::collection::vec(number(), 0..12).prop_map(Cell::Sparkline),
        ]
    }

    fn any_chart() -> impl Strategy<Value = Chart> {
        let trend = (
            proptest::option::of(nasty()),
            prop::collection::vec((day(), number()), 0..8),
            number(),
            number(),
            proptest::option::of(day()),
            proptest::option::of(day()),
            proptest::option::of((day(), number())),
        )
            .prop_map(|(unit, points, baseline, target, start, due, forecast)| {
                ChartKind::Trend {
                    unit,
                    points,
                    baseline,
                    target,
                    start,
                    due,
                    forecast,
                }
            });
        let bars = (
            proptest::option::of(nasty()),
            prop::collection::vec((nasty(), number()), 0..6),
        )
            .prop_map(|(unit, bars)| ChartKind::Bars { unit, bars });
        let grid = (
            nasty(),
            nasty(),
            prop::collection::vec(nasty(), 0..4),
            prop::collection::vec(nasty(), 0..4),
            prop::collection::vec(
                prop::collection::vec(prop::collection::vec(nasty(), 0..3), 0..5),
                0..5,
            ),
        )
            .prop_map(
                |(row_label, col_label, rows, cols, cells)| ChartKind::Grid {
                    row_label,
                    col_label,
                    rows,
                    cols,
                    cells,
                },
            );
        (
            prop_oneof![trend, bars, grid],
            proptest::option::of(nasty()),
        )
            .prop_map(|(kind, title)| Chart {
                key: "chart",
                title,
                kind,
            })
    }

    fn any_doc() -> impl Strategy<Value = Doc> {
        (
            1_usize..5,
            prop::collection::vec(prop::collection::vec(any_cell(), 0..6), 0..5),
            prop::collection::vec(any_cell(), 0..4),
            prop::collection::vec(any_chart(), 0..3),
            proptest::option::of(nasty()),
            proptest::option::of(nasty()),
            proptest::option::of(nasty()),
            any::<bool>(),
        )
            .prop_map(
                |(ncols, rows, fields, charts, title, message, doc_title, chart_first)| {
                    const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];
                    let columns = KEYS[..ncols].iter().map(|k| Column::new(k, k)).collect();
                    let mut table = Table::new("rows", columns);
                    table.rows = rows;
                    table.title = title.clone();
                    let mut record = Record::new("rec");
                    record.title = title;
                    for (i, cell) in fields.into_iter().enumerate() {
                        record.fields.push((Column::new(KEYS[i % 5], "<L>"), cell));
                    }
                    let mut doc = Doc::new("doc");
                    if chart_first {
                        for c in charts.clone() {
                            doc = doc.with_chart(c);
                        }
                    }
                    doc = doc.with_record(record).with_table(table);
                    if !chart_first {
                        for c in charts {
                            doc = doc.with_chart(c);
                        }
                    }
                    doc.empty_message = message;
                    doc.title = doc_title;
                    doc
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_and_never_emits_markup(doc in any_doc(), width in proptest::option::of(0_u16..200), color: bool, bom: bool) {
            let opts = RenderOptions { color, width, bom };
            for f in Format::ALL {
                let s = render_to_string(&doc, f, &opts).unwrap();
                match f {
                    Format::Html => {
                        let lower = s.to_ascii_lowercase();
                        prop_assert!(!lower.contains("<script"), "{}", s);
                        prop_assert!(!s.contains("NaN"));
                        prop_assert_eq!(s.matches("<svg").count(), s.matches("</svg>").count());
                        prop_assert_eq!(s.matches("<table").count(), s.matches("</table>").count());
                        prop_assert_eq!(s.matches("<section").count(), s.matches("</section>").count());
                        prop_assert!(s.starts_with("<!doctype html>\n"));
                    }
                    Format::Markdown => {
                        // Every `<` from the data is escaped as `\<`.
                        prop_assert!(!s.replace("\\<", "").contains("<script"), "{}", s);
                    }
                    Format::Json => {
                        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
                        prop_assert_eq!(v["schema_version"].as_u64(), Some(1));
                    }
                    Format::Table if !color => prop_assert!(!s.contains('\x1b'), "escape code"),
                    _ => {}
                }
            }
        }

        #[test]
        fn sparkline_has_one_block_per_finite_value(values in prop::collection::vec(number(), 0..40)) {
            let s = sparkline(&values);
            let finite = values.iter().filter(|v| v.is_finite()).count();
            if finite == 0 {
                prop_assert_eq!(s, "—");
            } else {
                prop_assert_eq!(s.chars().count(), finite);
                prop_assert!(s.chars().all(|c| "▁▂▃▄▅▆▇█".contains(c)));
            }
        }
    }
}

#[test]
#[ignore = "writes a sample page for a person to look at"]
fn write_sample_page() {
    let path = std::env::var("SAMPLE_HTML").unwrap_or_else(|_| "/tmp/sample.html".into());
    std::fs::write(path, out(&full_doc(), Format::Html)).unwrap();
}
