//! Tests of the output renderers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use yardstick::render::{
    Cell, Column, Doc, Format, Record, RenderOptions, Table, render, render_to_string,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn goals_table() -> Table {
    Table::new(
        "goals",
        vec![
            Column::new("id", "ID"),
            Column::new("title", "Title"),
            Column::new("status", "Status"),
            Column::new("progress", "Progress"),
            Column::new("due", "Due"),
            Column::new("weight", "Weight"),
        ],
    )
    .with_row(vec![
        Cell::Int(1),
        Cell::tree(0, "Grow revenue"),
        Cell::status("on-track"),
        Cell::Progress(50.0),
        date(2025, 3, 31).into(),
        Cell::Float(0.5),
    ])
    .with_row(vec![
        Cell::Int(2),
        Cell::tree(1, "Launch in EU | UK"),
        Cell::status("at-risk"),
        Cell::Progress(120.0),
        Cell::Null,
        Cell::Float(0.25),
    ])
    .with_row(vec![
        Cell::Int(13),
        Cell::tree(2, "Hire a sales lead"),
        Cell::status("off-track"),
        Cell::Progress(-5.0),
        date(2025, 6, 30).into(),
        Cell::Null,
    ])
}

fn goal_record() -> Record {
    Record::new("goal")
        .with_title("Goal 1")
        .field("id", "ID", 1_i64)
        .field("title", "Title", "Grow revenue")
        .field("owner", "Owner", None::<String>)
        .field("attainment", "Attainment", Cell::Percent(33.3333))
        .field("active", "Active", true)
}

fn plain() -> RenderOptions {
    RenderOptions::plain()
}

fn out(doc: &Doc, format: Format, opts: &RenderOptions) -> String {
    render_to_string(doc, format, opts).unwrap()
}

fn sample_doc() -> Doc {
    Doc::new("goal")
        .with_record(goal_record())
        .with_table(goals_table().with_title("Children"))
}

fn has_escape(s: &str) -> bool {
    s.contains('\u{1b}')
}

// ---------------------------------------------------------------- json

#[test]
fn json_exact() {
    let doc = Doc::new("goal").with_record(goal_record()).with_table(
        Table::new(
            "children",
            vec![Column::new("id", "ID"), Column::new("title", "Title")],
        )
        .with_row(vec![Cell::Int(2), Cell::tree(1, "Launch")]),
    );
    let expected = r#"{
  "schema_version": 1,
  "kind": "goal",
  "goal": {
    "id": 1,
    "title": "Grow revenue",
    "owner": null,
    "attainment": 33.33,
    "active": true
  },
  "children": [
    {
      "id": 2,
      "title": "Launch"
    }
  ]
}
"#;
    assert_eq!(out(&doc, Format::Json, &plain()), expected);
}

#[test]
fn json_values_and_order() {
    let doc = Doc::table("goals", goals_table());
    let s = out(&doc, Format::Json, &plain());
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["kind"], "goals");
    let rows = v["goals"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["due"], "2025-03-31");
    assert_eq!(rows[0]["progress"], 50.0);
    assert_eq!(rows[1]["title"], "Launch in EU | UK");
    assert_eq!(rows[1]["due"], serde_json::Value::Null);
    assert_eq!(rows[2]["progress"], -5.0);
    // Keys in column order, not alphabetical.
    let first = s.find("\"id\"").unwrap();
    let title = s.find("\"title\"").unwrap();
    let weight = s.find("\"weight\"").unwrap();
    assert!(first < title && title < weight);
    assert!(s.ends_with("}\n"));
}

#[test]
fn json_empty_table_is_empty_array() {
    let doc = Doc::table("goals", Table::new("goals", vec![Column::new("id", "ID")]))
        .with_empty_message("No goals.");
    assert_eq!(
        out(&doc, Format::Json, &plain()),
        "{\n  \"schema_version\": 1,\n  \"kind\": \"goals\",\n  \"goals\": []\n}\n"
    );
}

#[test]
fn json_never_emits_nan() {
    let r = Record::new("r")
        .field("a", "A", f64::NAN)
        .field("b", "B", f64::INFINITY)
        .field("c", "C", Cell::Percent(f64::NAN))
        .field("d", "D", Cell::Progress(f64::NEG_INFINITY))
        .field("e", "E", Cell::Percent(f64::MAX));
    let doc = Doc::record("r", r);
    let s = out(&doc, Format::Json, &plain());
    assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    for k in ["a", "b", "c", "d"] {
        assert!(v["r"][k].is_null(), "{k}");
    }
    assert_eq!(v["r"]["e"].as_f64(), Some(f64::MAX));
    let line = out(&doc, Format::Jsonl, &plain());
    assert_eq!(
        line,
        format!(
            "{{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":{}}}\n",
            serde_json::to_string(&f64::MAX).unwrap()
        )
    );
}

#[test]
fn jsonl_rows_of_first_table() {
    let doc = sample_doc();
    let s = out(&doc, Format::Jsonl, &plain());
    assert_eq!(
        s,
        concat!(
            r#"{"id":1,"title":"Grow revenue","status":"on-track","progress":50.0,"due":"2025-03-31","weight":0.5}"#,
            "\n",
            r#"{"id":2,"title":"Launch in EU | UK","status":"at-risk","progress":120.0,"due":null,"weight":0.25}"#,
            "\n",
            r#"{"id":13,"title":"Hire a sales lead","status":"off-track","progress":-5.0,"due":"2025-06-30","weight":null}"#,
            "\n",
        )
    );
}

#[test]
fn jsonl_records_only() {
    let doc = Doc::new("x")
        .with_record(Record::new("a").field("n", "N", 1_i64))
        .with_record(Record::new("b").field("n", "N", 2_i64));
    assert_eq!(out(&doc, Format::Jsonl, &plain()), "{\"n\":1}\n{\"n\":2}\n");
    let empty = Doc::table("t", Table::new("t", vec![Column::new("a", "A")]));
    assert_eq!(out(&empty, Format::Jsonl, &plain()), "");
}

// ---------------------------------------------------------------- csv / tsv

#[test]
fn csv_exact() {
    let s = out(&sample_doc(), Format::Csv, &plain());
    assert_eq!(
        s,
        "id,title,status,progress,due,weight\r\n\
         1,Grow revenue,on-track,50,2025-03-31,0.5\r\n\
         2,Launch in EU | UK,at-risk,120,,0.25\r\n\
         13,Hire a sales lead,off-track,-5,2025-06-30,\r\n"
    );
}

#[test]
fn tsv_exact() {
    let s = out(&Doc::table("goals", goals_table()), Format::Tsv, &plain());
    assert_eq!(
        s,
        "id\ttitle\tstatus\tprogress\tdue\tweight\n\
         1\tGrow revenue\ton-track\t50\t2025-03-31\t0.5\n\
         2\tLaunch in EU | UK\tat-risk\t120\t\t0.25\n\
         13\tHire a sales lead\toff-track\t-5\t2025-06-30\t\n"
    );
}

#[test]
fn csv_record_only_is_one_row() {
    let s = out(&Doc::record("goal", goal_record()), Format::Csv, &plain());
    assert_eq!(
        s,
        "id,title,owner,attainment,active\r\n1,Grow revenue,,33.33,true\r\n"
    );
}

#[test]
fn csv_numbers_plain() {
    let t = Table::new(
        "n",
        vec![
            Column::new("i", "I"),
            Column::new("f", "F"),
            Column::new("p", "P"),
        ],
    )
    .with_row(vec![
        Cell::Int(1_234_567),
        Cell::Float(0.1 + 0.2),
        Cell::Percent(12.3456),
    ])
    .with_row(vec![
        Cell::Int(-5),
        Cell::Float(1e21),
        Cell::Percent(-0.004),
    ]);
    let s = out(&Doc::table("n", t), Format::Csv, &plain());
    assert_eq!(
        s,
        "i,f,p\r\n1234567,0.30000000000000004,12.35\r\n-5,1000000000000000000000,0\r\n"
    );
}

#[test]
fn csv_bom_and_empty() {
    let empty = Doc::table(
        "t",
        Table::new("t", vec![Column::new("a", "A"), Column::new("b", "B")]),
    )
    .with_empty_message("nothing");
    let opts = RenderOptions {
        bom: true,
        ..plain()
    };
    assert_eq!(out(&empty, Format::Csv, &opts), "\u{FEFF}a,b\r\n");
    assert_eq!(out(&empty, Format::Tsv, &plain()), "a\tb\n");
    assert_eq!(out(&empty, Format::Json, &opts).chars().next(), Some('{'));
    assert_eq!(out(&Doc::new("x"), Format::Csv, &plain()), "");
}

fn csv_of(texts: &[&str]) -> Vec<String> {
    let cols: Vec<Column> = texts.iter().map(|_| Column::new("c", "C")).collect();
    let t = Table::new("t", cols).with_row(texts.iter().map(|s| Cell::text(*s)).collect());
    let s = out(&Doc::table("t", t), Format::Csv, &plain());
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(s.as_bytes());
    let rec = r.records().next().unwrap().unwrap();
    rec.iter().map(str::to_owned).collect()
}

#[test]
fn csv_formula_injection() {
    let cases = [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1+1", "'+1+1"),
        ("+4", "+4"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("-3.5", "-3.5"),
        ("-1e3", "-1e3"),
        ("-inf", "'-inf"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("\0=1+2", "'\0=1+2"),
        ("\u{1}@SUM(A1)", "'\u{1}@SUM(A1)"),
        (" =1+1", "' =1+1"),
        ("\u{feff}=HYPERLINK(\"x\")", "'\u{feff}=HYPERLINK(\"x\")"),
        ("\u{a0}-x", "'\u{a0}-x"),
        (" plain", " plain"),
    ];
    let texts: Vec<&str> = cases.iter().map(|(i, _)| *i).collect();
    let got = csv_of(&texts);
    let want: Vec<String> = cases.iter().map(|(_, o)| (*o).to_owned()).collect();
    assert_eq!(got, want);
}

#[test]
fn csv_injection_applies_to_status_and_tree_not_numbers() {
    let t = Table::new(
        "t",
        vec![
            Column::new("s", "S"),
            Column::new("t", "T"),
            Column::new("i", "I"),
            Column::new("f", "F"),
        ],
    )
    .with_row(vec![
        Cell::status("=cmd"),
        Cell::tree(2, "@home"),
        Cell::Int(-3),
        Cell::Float(-2.5),
    ]);
    for (f, sep, end) in [(Format::Csv, ",", "\r\n"), (Format::Tsv, "\t", "\n")] {
        let s = out(&Doc::table("t", t.clone()), f, &plain());
        let body = s.split_once(end).unwrap().1;
        assert_eq!(body, format!("'=cmd{sep}'@home{sep}-3{sep}-2.5{end}"));
    }
}

#[test]
fn csv_parses_back_to_same_cells() {
    let s = out(&sample_doc(), Format::Csv, &plain());
    let mut r = csv::Reader::from_reader(s.as_bytes());
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        headers,
        ["id", "title", "status", "progress", "due", "weight"]
    );
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["1", "Grow revenue", "on-track", "50", "2025-03-31", "0.5"],
            vec!["2", "Launch in EU | UK", "at-risk", "120", "", "0.25"],
            vec![
                "13",
                "Hire a sales lead",
                "off-track",
                "-5",
                "2025-06-30",
                ""
            ],
        ]
    );
    // A lone empty field is written as "" so the row is not lost.
    assert_eq!(csv_of(&[""]), vec![""]);
    // Quotes, commas and newlines survive.
    assert_eq!(
        csv_of(&["a,b", "say \"hi\"", "two\nlines", ""]),
        vec!["a,b", "say \"hi\"", "two\nlines", ""]
    );
}

// ---------------------------------------------------------------- markdown

#[test]
fn markdown_exact() {
    let expected = "\
### Goal 1

| Field | Value |
| --- | --- |
| ID | 1 |
| Title | Grow revenue |
| Owner | — |
| Attainment | 33% |
| Active | yes |

### Children

| ID | Title | Status | Progress | Due | Weight |
| ---: | --- | --- | ---: | --- | ---: |
| 1 | Grow revenue | on-track | 50% | 2025-03-31 | 0.5 |
| 2 | Launch in EU \\| UK | at-risk | 120% | — | 0.25 |
| 13 | Hire a sales lead | off-track | -5% | 2025-06-30 | — |
";
    assert_eq!(out(&sample_doc(), Format::Markdown, &plain()), expected);
}

#[test]
fn markdown_escapes_and_empty() {
    let t = Table::new("t", vec![Column::new("a", "A|B")]).with_row(vec![Cell::text("x|y\nz")]);
    assert_eq!(
        out(&Doc::table("t", t), Format::Markdown, &plain()),
        "| A\\|B |\n| --- |\n| x\\|y<br>z |\n"
    );
    let empty =
        Doc::table("t", Table::new("t", vec![Column::new("n", "N")])).with_empty_message("none");
    assert_eq!(out(&empty, Format::Markdown, &plain()), "| N |\n| --- |\n");
}

// ---------------------------------------------------------------- table

#[test]
fn table_plain_content_and_alignment() {
    let s = out(&sample_doc(), Format::Table, &plain());
    assert!(!has_escape(&s), "{s}");
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[0], "Goal 1");
    assert_eq!(lines[1], "ID          1");
    assert_eq!(lines[3], "Owner       —");
    assert_eq!(lines[4], "Attainment  33%");
    assert_eq!(lines[5], "Active      yes");
    assert_eq!(lines[6], "");
    assert_eq!(lines[7], "Children");
    assert!(lines[8].starts_with("ID  Title"));
    assert!(lines[9].chars().all(|c| c == '─'));
    // Numbers right-aligned: the ID column is two wide.
    assert!(lines[10].starts_with(" 1  Grow revenue"));
    assert!(lines[12].starts_with("13     └─ Hire a sales lead"));
    assert!(lines[11].starts_with(" 2  └─ Launch in EU | UK"));
    // Bars: clamped, real value shown.
    assert!(lines[10].contains("█████░░░░░  50%"));
    assert!(lines[11].contains("██████████ 120%"));
    assert!(lines[12].contains("░░░░░░░░░░  -5%"));
    assert!(lines[10].ends_with("0.5"));
    assert!(lines[11].ends_with("0.25"));
    assert!(lines[12].ends_with("—"));
    assert!(lines[10].contains("2025-03-31"));
    // No trailing whitespace.
    assert!(s.lines().all(|l| l == l.trim_end()));
}

#[test]
fn table_colour_only_when_asked() {
    let opts = RenderOptions {
        color: true,
        ..plain()
    };
    let s = out(&sample_doc(), Format::Table, &opts);
    assert!(has_escape(&s));
    let coloured = |word: &str| s.lines().any(|l| l.contains(&format!("m{word}\u{1b}[")));
    assert!(
        coloured("on-track") && coloured("at-risk") && coloured("off-track"),
        "{s}"
    );
    let plain_s = out(&sample_doc(), Format::Table, &plain());
    assert!(!has_escape(&plain_s));
}

#[test]
fn table_escape_codes_in_content_are_defused() {
    let t = Table::new("t", vec![Column::new("a", "A")])
        .with_row(vec![Cell::text("\u{1b}[31mred\u{7}")]);
    let s = out(&Doc::table("t", t), Format::Table, &plain());
    assert!(!has_escape(&s));
    assert!(s.contains("\\e[31mred\\x07"), "{s}");
}

/// Hostile text: every kind of control, bidi override, line separator, and
/// Markdown/HTML punctuation.
const HOSTILE: &str = "\u{1b}]2;owned\u{7}\u{1b}[2J\0\u{8}\r\u{7f}\u{9b}31m\u{85}\u{202e}\u{2066}\u{2028}[x](http://e) ![i](http://t) <http://a> `c` *e* _u_ | & # \\";

fn hostile_doc() -> Doc {
    let t = Table::new("t", vec![Column::new("a", "A"), Column::new("b", "B")])
        .with_row(vec![Cell::text(HOSTILE), Cell::status(HOSTILE)])
        .with_row(vec![
            Cell::tree(1, HOSTILE),
            Cell::text("line 1\nline 2\ttab"),
        ])
        .with_title(HOSTILE);
    let r = Record::new("r")
        .with_title(HOSTILE)
        .field("a", "A", HOSTILE);
    Doc::new("d").with_record(r).with_table(t)
}

/// The characters in `s` that could drive a terminal, other than `allowed`.
fn unsafe_chars(s: &str, allowed: &[char]) -> Vec<char> {
    s.chars()
        .filter(|c| yardstick::render::is_unsafe_char(*c) && !allowed.contains(c))
        .collect()
}

#[test]
fn no_control_character_from_the_data_reaches_table_tsv_or_markdown() {
    let doc = hostile_doc();
    for (format, allowed) in [
        (Format::Table, &['\n'][..]),
        (Format::Tsv, &['\n', '\t'][..]),
        (Format::Markdown, &['\n'][..]),
    ] {
        let s = out(&doc, format, &plain());
        assert_eq!(
            unsafe_chars(&s, allowed),
            Vec::<char>::new(),
            "{format}: {s}"
        );
        // Shown, not dropped.
        for shown in [
            "\\e",
            "2;owned\\x07",
            "\\x00",
            "\\x08",
            "\\x7f",
            "\\u{9b}31m",
            "\\u{85}",
            "\\u{202e}",
            "\\u{2066}",
            "\\u{2028}",
        ] {
            assert!(s.contains(shown), "{format} does not show {shown}: {s}");
        }
    }
    // Colour adds its own codes, and only those: no data escape survives.
    let opts = RenderOptions {
        color: true,
        ..plain()
    };
    let s = out(&doc, Format::Table, &opts);
    assert!(
        !s.contains("\u{1b}]") && !s.contains("\u{1b}[2J") && !s.contains('\u{9b}'),
        "{s}"
    );
}

#[test]
fn newlines_and_tabs_per_format() {
    let doc = Doc::table(
        "t",
        Table::new("t", vec![Column::new("a", "A"), Column::new("b", "B")])
            .with_row(vec![Cell::text("l1\r\nl2\rl3\n\tx"), Cell::text("a\\tb")]),
    );
    // Table: a cell keeps its lines (CR and CRLF are line breaks), a tab is a space.
    let table = out(&doc, Format::Table, &plain());
    assert!(
        table.contains("l1 ")
            && table.contains("\nl2")
            && table.contains("\nl3")
            && table.lines().any(|l| l == " x"),
        "{table}"
    );
    // TSV: one row per line, every break and tab escaped, a backslash doubled.
    assert_eq!(
        out(&doc, Format::Tsv, &plain()),
        "a\tb\nl1\\r\\nl2\\rl3\\n\\tx\ta\\\\tb\n"
    );
    // Markdown: <br> inside a cell, a tab is a space.
    assert!(out(&doc, Format::Markdown, &plain()).contains("| l1<br>l2<br>l3<br> x | a\\\\tb |"));
    // CSV keeps the data as it is (quoted).
    assert_eq!(
        out(&doc, Format::Csv, &plain()),
        "a,b\r\n\"l1\r\nl2\rl3\n\tx\",a\\tb\r\n"
    );
}

#[test]
fn markdown_link_and_image_syntax_from_the_data_is_literal() {
    let t = Table::new("t", vec![Column::new("a", "A")])
        .with_row(vec![Cell::text(
            "[click](http://evil) ![x](http://t/p.png) <http://a>",
        )])
        .with_title("Q4 *bold* [link](x) #1");
    let s = out(&Doc::table("t", t), Format::Markdown, &plain());
    assert_eq!(
        s,
        "### Q4 \\*bold\\* \\[link\\](x) \\#1\n\n| A |\n| --- |\n| \\[click\\](http://evil) \\!\\[x\\](http://t/p.png) \\<http://a\\> |\n"
    );
}

#[test]
fn table_wraps_long_text_within_width() {
    let long = "word ".repeat(40);
    let t = Table::new(
        "t",
        vec![
            Column::new("n", "N"),
            Column::new("title", "Title"),
            Column::new("p", "Progress"),
        ],
    )
    .with_row(vec![
        Cell::Int(1),
        Cell::text(long.trim()),
        Cell::Progress(30.0),
    ]);
    let opts = RenderOptions {
        width: Some(50),
        ..plain()
    };
    let s = out(&Doc::table("t", t), Format::Table, &opts);
    assert!(s.lines().all(|l| l.chars().count() <= 50), "{s}");
    // Wrapped, not cut: every word is there.
    assert_eq!(s.matches("word").count(), 40);
    // The bar is never split.
    assert!(s.contains("███░░░░░░░  30%"), "{s}");
}

#[test]
fn table_empty_message() {
    let empty = Doc::table("goals", Table::new("goals", vec![Column::new("id", "ID")]))
        .with_empty_message("No goals match.");
    assert_eq!(out(&empty, Format::Table, &plain()), "No goals match.\n");
    let no_msg = Doc::table("goals", Table::new("goals", vec![Column::new("id", "ID")]));
    assert_eq!(out(&no_msg, Format::Table, &plain()), "ID\n──\n");
}

#[test]
fn format_parse_and_extension() {
    assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
    assert_eq!("tsv".parse::<Format>().unwrap(), Format::Tsv);
    let err = "yaml".parse::<Format>().unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.hint().unwrap().contains("jsonl"));
    assert_eq!(
        Format::from_extension(std::path::Path::new("out.ndjson")),
        Some(Format::Jsonl)
    );
}

#[test]
fn sparkline_cells_in_every_format() {
    let t = Table::new(
        "t",
        vec![Column::new("id", "ID"), Column::new("trend", "Trend")],
    )
    .with_row(vec![
        Cell::Int(1),
        Cell::sparkline(vec![1.0, f64::NAN, 2.0, 3.0]),
    ])
    .with_row(vec![Cell::Int(2), Cell::sparkline(vec![4.0, 4.0])])
    .with_row(vec![Cell::Int(3), Cell::sparkline(vec![])]);
    let doc = Doc::table("t", t);
    assert_eq!(
        out(&doc, Format::Csv, &plain()),
        "id,trend\r\n1,1 2 3\r\n2,4 4\r\n3,\r\n"
    );
    assert_eq!(
        out(&doc, Format::Jsonl, &plain()),
        "{\"id\":1,\"trend\":[1.0,2.0,3.0]}\n{\"id\":2,\"trend\":[4.0,4.0]}\n{\"id\":3,\"trend\":[]}\n"
    );
    assert_eq!(
        out(&doc, Format::Markdown, &plain()),
        "| ID | Trend |\n| ---: | --- |\n| 1 | ▁▅█ |\n| 2 | ▄▄ |\n| 3 | — |\n"
    );
    let table = out(&doc, Format::Table, &plain());
    assert!(
        table.contains(" 1  ▁▅█") && table.contains(" 2  ▄▄") && table.contains(" 3  —"),
        "{table}"
    );
}

#[test]
fn markdown_escapes_html_from_the_data() {
    let t = Table::new("t", vec![Column::new("a", "<A>")])
        .with_row(vec![Cell::text("<script>alert(1)</script>")])
        .with_title("<b>x</b>");
    assert_eq!(
        out(&Doc::table("t", t), Format::Markdown, &plain()),
        "### \\<b\\>x\\</b\\>\n\n| \\<A\\> |\n| --- |\n| \\<script\\>alert(1)\\</script\\> |\n"
    );
}

#[test]
fn render_writes_to_any_writer() {
    let mut buf: Vec<u8> = Vec::new();
    render(&sample_doc(), Format::Csv, &plain(), &mut buf).unwrap();
    assert!(buf.starts_with(b"id,title"));
}

#[test]
fn ragged_rows_do_not_panic() {
    let t = Table::new("t", vec![Column::new("a", "A"), Column::new("b", "B")])
        .with_row(vec![Cell::Int(1)])
        .with_row(vec![Cell::Int(1), Cell::Int(2), Cell::Int(3)])
        .with_row(vec![]);
    let doc = Doc::table("t", t);
    assert_eq!(
        out(&doc, Format::Csv, &plain()),
        "a,b\r\n1,\r\n1,2\r\n,\r\n"
    );
    assert_eq!(
        out(&doc, Format::Jsonl, &plain()),
        "{\"a\":1,\"b\":null}\n{\"a\":1,\"b\":2}\n{\"a\":null,\"b\":null}\n"
    );
    for f in Format::ALL {
        let _ = out(&doc, f, &plain());
        let _ = out(
            &Doc::table("t", Table::new("t", vec![]).with_row(vec![Cell::Int(1)])),
            f,
            &plain(),
        );
        let _ = out(&Doc::new("x"), f, &plain());
    }
}

// ---------------------------------------------------------------- properties

mod props {
    use super::*;
    use proptest::prelude::*;

    fn any_cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            Just(Cell::Null),
            any::<String>().prop_map(Cell::Text),
            "[=+@\\-\t\r\n]?[ -~]{0,12}".prop_map(Cell::Text),
            hostile_text().prop_map(Cell::Text),
            any::<i64>().prop_map(Cell::Int),
            any::<f64>().prop_map(Cell::Float),
            any::<f64>().prop_map(Cell::Percent),
            any::<f64>().prop_map(Cell::Progress),
            any::<bool>().prop_map(Cell::Bool),
            any::<String>().prop_map(Cell::Status),
            (any::<usize>(), any::<String>()).prop_map(|(depth, text)| Cell::Tree { depth, text }),
            prop::collection::vec(any::<f64>(), 0..8).prop_map(Cell::Sparkline),
            (-300_000_i32..300_000).prop_map(|d| Cell::Date(
                NaiveDate::from_num_days_from_ce_opt(d.abs() + 1).unwrap_or_default()
            )),
        ]
    }

    /// Text full of controls, bidi overrides, separators and markup.
    fn hostile_text() -> impl Strategy<Value = String> {
        "[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}\\x{2028}\\x{2029}\\x{feff}\\x{a0} a=+@\\-\\[\\]()<>!|`*_&#\\\\]{0,16}"
    }

    fn any_doc() -> impl Strategy<Value = Doc> {
        (
            1_usize..5,
            prop::collection::vec(prop::collection::vec(any_cell(), 0..6), 0..5),
            prop::collection::vec((any::<String>(), any_cell()), 0..4),
            proptest::option::of(prop_oneof![any::<String>(), hostile_text()]),
            proptest::option::of(prop_oneof![any::<String>(), hostile_text()]),
        )
            .prop_map(|(ncols, rows, fields, title, message)| {
                const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];
                let columns = KEYS[..ncols].iter().map(|k| Column::new(k, k)).collect();
                let mut table = Table::new("rows", columns);
                table.rows = rows;
                table.title = title;
                let mut record = Record::new("rec");
                for (i, (_, cell)) in fields.into_iter().enumerate() {
                    record.fields.push((Column::new(KEYS[i % 5], "L"), cell));
                }
                let mut doc = Doc::new("doc").with_record(record).with_table(table);
                doc.empty_message = message;
                doc
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_panics(doc in any_doc(), width in proptest::option::of(0_u16..200), color: bool, bom: bool) {
            let opts = RenderOptions { color, width, bom };
            for f in Format::ALL {
                let s = out(&doc, f, &opts);
                if f == Format::Table && !color {
                    prop_assert!(!has_escape(&s));
                }
                let allowed: &[char] = match f {
                    Format::Table | Format::Markdown => &['\n'],
                    Format::Tsv => &['\n', '\t'],
                    _ => &[],
                };
                if matches!(f, Format::Table | Format::Markdown | Format::Tsv) && !color {
                    let found = super::unsafe_chars(&s, allowed);
                    prop_assert!(found.is_empty(), "{}: {:?} in {:?}", f, found, s);
                }
                if f == Format::Json {
                    // serde_json rejects NaN/Infinity tokens: parsing proves there are none.
                    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
                    prop_assert_eq!(v["schema_version"].as_u64(), Some(1));
                }
            }
        }

        #[test]
        fn json_never_nan(x: f64) {
            let r = Record::new("r").field("f", "F", x).field("p", "P", Cell::Percent(x)).field("g", "G", Cell::Progress(x));
            let s = out(&Doc::record("r", r), Format::Json, &plain());
            prop_assert!(!s.contains("NaN") && !s.contains("inf"));
            let v: serde_json::Value = serde_json::from_str(&s).unwrap();
            if x.is_finite() {
                // serde_json's parser (without float_roundtrip) may be off by an ulp.
                let got = v["r"]["f"].as_f64().unwrap();
                prop_assert!((got - x).abs() <= x.abs() * 1e-15, "{} vs {}", got, x);
            } else {
                prop_assert!(v["r"]["f"].is_null());
            }
        }

        #[test]
        fn csv_round_trips_text(texts in prop::collection::vec(prop_oneof![any::<String>(), hostile_text()], 1..5), tsv: bool) {
            let cols: Vec<Column> = texts.iter().map(|_| Column::new("c", "C")).collect();
            let t = Table::new("t", cols).with_row(texts.iter().map(Cell::from).collect());
            let (format, delim) = if tsv { (Format::Tsv, b'\t') } else { (Format::Csv, b',') };
            let s = out(&Doc::table("t", t), format, &plain());
            let mut r = csv::ReaderBuilder::new().delimiter(delim).from_reader(s.as_bytes());
            let rec = r.records().next().unwrap().unwrap();
            prop_assert_eq!(rec.len(), texts.len());
            for (got, want) in rec.iter().zip(&texts) {
                // TSV: the escapes undone give the data back.
                let read = |g: &str| if tsv { unescape_tsv(g) } else { g.to_owned() };
                let quoted = read(got) != *want;
                if quoted {
                    prop_assert_eq!(read(got.strip_prefix('\'').unwrap_or("")), want.as_str(), "{:?}", got);
                }
                // The guard: text whose first visible character starts a formula
                // (or that starts with a tab or line break) is never written bare.
                let visible = want.chars().find(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}'));
                let number = want.parse::<f64>().is_ok_and(f64::is_finite) && want.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
                let formula = matches!(visible, Some('=' | '+' | '-' | '@')) || want.starts_with(['\t', '\r', '\n']);
                if formula && !number && !tsv {
                    prop_assert!(quoted, "{:?} written as {:?}", want, got);
                }
                if tsv {
                    let first = got.chars().find(|c| !c.is_whitespace() && !matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{206f}'));
                    if matches!(first, Some('=' | '+' | '-' | '@')) && !number {
                        prop_assert!(quoted, "{:?} written as {:?}", want, got);
                    }
                }
            }
        }
    }
}

/// Undo TSV's escapes (`\\`, `\t`, `\n`, `\r`, `\e`, `\xNN`, `\u{…}`).
fn unescape_tsv(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('e') => out.push('\u{1b}'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            Some('u') => {
                assert_eq!(chars.next(), Some('{'));
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => panic!("unknown escape \\{other:?} in {s:?}"),
        }
    }
    out
}
