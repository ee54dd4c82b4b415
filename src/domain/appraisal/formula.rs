//! A template's final-score formula: a small arithmetic expression over the
//! components (`goals`, `self`, `manager`, `peer`, `upward`,
//! `competencies`), parsed and evaluated by the `evalexpr` crate, which
//! runs no code: only arithmetic, comparisons, `&&`/`||`/`!` and the
//! functions listed in [`FUNCTIONS`].
//!
//! A formula is checked when its template is read: a syntax error, an
//! unknown variable or function, a division by a constant zero, or a
//! result that is not a number is refused with the position in the formula
//! (a 1-based character count).

use crate::domain::types::Component;
use evalexpr::{
    ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node, Operator, Value,
};

/// The functions a formula may call.
pub const FUNCTIONS: &[&str] = &["if", "min", "max", "round", "floor", "ceil", "math::abs"];

/// The longest formula accepted, in characters.
const MAX_LEN: usize = 1_000;

/// A compiled final-score formula.
#[derive(Debug, Clone)]
pub struct Formula {
    source: String,
    tree: Node<DefaultNumericTypes>,
}

impl PartialEq for Formula {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Why a formula was refused, and where (a 0-based character offset into
/// the formula).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError {
    /// What is wrong.
    pub message: String,
    /// The character offset (0-based) in the formula.
    pub at: usize,
}

/// The name of each variable a formula may read: every component by name
/// (its value, 0 when missing) and `has_` + the name (whether it has a value).
pub fn variables() -> Vec<String> {
    let mut out = Vec::new();
    for c in Component::ALL {
        out.push(c.as_str().to_string());
    }
    for c in Component::ALL {
        out.push(format!("has_{}", c.as_str()));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Ident,
    Number,
    Open,
    Close,
    Comma,
    Op,
    Divide,
}

/// A token with its character offset and text.
fn tokens(src: &str) -> Result<Vec<(Tok, usize, String)>, FormulaError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            {
                i += 1;
            }
            out.push((Tok::Ident, start, chars[start..i].iter().collect()));
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_digit() || *c == '.')
            {
                i += 1;
            }
            out.push((Tok::Number, start, chars[start..i].iter().collect()));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let (tok, len) = match c {
            '(' => (Tok::Open, 1),
            ')' => (Tok::Close, 1),
            ',' => (Tok::Comma, 1),
            '/' | '%' => (Tok::Divide, 1),
            _ if ["&&", "||", "==", "!=", ">=", "<="].contains(&two.as_str()) => (Tok::Op, 2),
            '+' | '-' | '*' | '^' | '<' | '>' | '!' => (Tok::Op, 1),
            _ => {
                return Err(FormulaError {
                    message: format!("'{}' is not allowed in a formula", c.escape_debug()),
                    at: start,
                });
            }
        };
        i += len;
        out.push((tok, start, chars[start..i].iter().collect()));
    }
    Ok(out)
}

/// Where a syntax error most likely is: an unmatched parenthesis, two
/// operands or two binary operators in a row, or an operator at the end;
/// `None` when none of these is found.
fn syntax_error_at(toks: &[(Tok, usize, String)]) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut prev: Option<Tok> = None;
    for (tok, at, text) in toks {
        match tok {
            Tok::Open => open.push(*at),
            Tok::Close if open.pop().is_none() => return Some(*at),
            _ => {}
        }
        let operand = |t: Tok| matches!(t, Tok::Number | Tok::Close);
        let unary = text == "-" || text == "!";
        match (prev, tok) {
            (Some(p), Tok::Number | Tok::Ident | Tok::Open)
                if operand(p) || (p == Tok::Ident && *tok != Tok::Open) =>
            {
                return Some(*at);
            }
            (
                None | Some(Tok::Op | Tok::Divide | Tok::Open | Tok::Comma),
                Tok::Op | Tok::Divide,
            ) if !unary => {
                return Some(*at);
            }
            (Some(Tok::Op | Tok::Divide | Tok::Comma | Tok::Open), Tok::Close | Tok::Comma) => {
                return Some(*at);
            }
            _ => {}
        }
        prev = Some(*tok);
    }
    if let Some(&at) = open.last() {
        return Some(at);
    }
    if matches!(prev, Some(Tok::Op | Tok::Divide)) {
        return toks.last().map(|t| t.1);
    }
    None
}

fn as_float(node: &mut Node<DefaultNumericTypes>) {
    if let Operator::Const {
        value: Value::Int(i),
    } = node.operator()
    {
        // Whole numbers in a formula are decimals: 1/3 is a third, not 0.
        #[allow(clippy::cast_precision_loss)]
        let v = *i as f64;
        *node.operator_mut() = Operator::Const {
            value: Value::Float(v),
        };
    }
    for child in node.children_mut() {
        as_float(child);
    }
}

/// The divisions of the tree in the order their `/` or `%` appear in the
/// text (in-order), each with whether its divisor is a constant zero.
fn divisions(node: &Node<DefaultNumericTypes>, out: &mut Vec<bool>) {
    let kids = node.children();
    if matches!(node.operator(), Operator::Div | Operator::Mod) && kids.len() == 2 {
        divisions(&kids[0], out);
        let rhs = &kids[1];
        let constant = rhs.iter_variable_identifiers().next().is_none();
        let zero = constant
            && rhs
                .eval_number_with_context(&HashMapContext::<DefaultNumericTypes>::new())
                .is_ok_and(|v| v == 0.0);
        out.push(zero);
        divisions(rhs, out);
    } else {
        for k in kids {
            divisions(k, out);
        }
    }
}

impl Formula {
    /// Compile and check a formula (see the module documentation).
    pub fn parse(source: &str) -> Result<Formula, FormulaError> {
        let len = source.chars().count();
        if source.trim().is_empty() {
            return Err(FormulaError {
                message: "the formula is empty".into(),
                at: 0,
            });
        }
        if len > MAX_LEN {
            return Err(FormulaError {
                message: format!("the formula is longer than {MAX_LEN} characters"),
                at: MAX_LEN,
            });
        }
        let toks = tokens(source)?;
        if let Some(at) = syntax_error_at(&toks) {
            return Err(FormulaError {
                message: "syntax error: an operand or operator is missing or out of place".into(),
                at,
            });
        }
        let mut tree =
            evalexpr::build_operator_tree::<DefaultNumericTypes>(source).map_err(|e| {
                FormulaError {
                    message: format!("syntax error: {e}"),
                    at: len,
                }
            })?;
        let known = variables();
        let position_of = |name: &str| {
            toks.iter()
                .find(|(t, _, text)| *t == Tok::Ident && text == name)
                .map_or(0, |t| t.1)
        };
        for f in tree.iter_function_identifiers() {
            if !FUNCTIONS.contains(&f) {
                return Err(FormulaError {
                    message: format!(
                        "unknown function '{f}'; a formula may call {}",
                        FUNCTIONS.join(", ")
                    ),
                    at: position_of(f),
                });
            }
        }
        for v in tree.iter_variable_identifiers() {
            if !known.iter().any(|k| k == v) {
                return Err(FormulaError {
                    message: format!(
                        "unknown variable '{v}'; a formula may use {}",
                        known.join(", ")
                    ),
                    at: position_of(v),
                });
            }
        }
        if tree.iter().map(|n| n.operator()).any(|o| {
            matches!(
                o,
                Operator::Assign
                    | Operator::AddAssign
                    | Operator::SubAssign
                    | Operator::MulAssign
                    | Operator::DivAssign
                    | Operator::ModAssign
                    | Operator::ExpAssign
                    | Operator::Chain
                    | Operator::VariableIdentifierWrite { .. }
            ) || matches!(o, Operator::Const { value } if value.is_string())
        }) {
            return Err(FormulaError {
                message: "a formula is one expression: no assignments, ';' or text".into(),
                at: 0,
            });
        }
        as_float(&mut tree);
        let mut divs = Vec::new();
        divisions(&tree, &mut divs);
        if let Some(k) = divs.iter().position(|&zero| zero) {
            let at = toks
                .iter()
                .filter(|t| t.0 == Tok::Divide)
                .nth(k)
                .map_or(0, |t| t.1);
            return Err(FormulaError {
                message: "division by zero".into(),
                at,
            });
        }
        let formula = Formula {
            source: source.to_string(),
            tree,
        };
        // Every component present at 1, then every one missing: the result
        // must be a number either way.
        for (value, has) in [(1.0, true), (0.0, false)] {
            let probe = formula.eval_raw(&|_| (value, has));
            if let Err(message) = probe {
                return Err(FormulaError { message, at: 0 });
            }
        }
        Ok(formula)
    }

    /// The formula as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    fn eval_raw(&self, get: &dyn Fn(Component) -> (f64, bool)) -> Result<f64, String> {
        let mut ctx = HashMapContext::<DefaultNumericTypes>::new();
        for &c in Component::ALL {
            let (v, has) = get(c);
            ctx.set_value(c.as_str().into(), Value::Float(v))
                .map_err(|e| e.to_string())?;
            ctx.set_value(format!("has_{}", c.as_str()), Value::Boolean(has))
                .map_err(|e| e.to_string())?;
        }
        match self.tree.eval_with_context(&ctx) {
            Ok(Value::Float(v)) => Ok(v),
            #[allow(clippy::cast_precision_loss)]
            Ok(Value::Int(v)) => Ok(v as f64),
            Ok(other) => Err(format!(
                "the formula gives {other}, not a number; compare inside if(…, …, …)"
            )),
            Err(e) => Err(format!("the formula cannot be evaluated: {e}")),
        }
    }

    /// The formula's value with each component's value (0 when missing)
    /// and whether it has one; `None` when the result is not a finite number
    /// (for example a division by a component that is 0).
    pub fn eval(&self, values: &[(Component, Option<f64>)]) -> Option<f64> {
        let get = |c: Component| {
            let v = values.iter().find(|(k, _)| *k == c).and_then(|(_, v)| *v);
            (v.unwrap_or(0.0), v.is_some())
        };
        self.eval_raw(&get).ok().filter(|v| v.is_finite())
    }

    /// The formula with each variable replaced by its value (numbers with
    /// at most 4 decimals), for explanations.
    pub fn substituted(&self, values: &[(Component, Option<f64>)]) -> String {
        let Ok(toks) = tokens(&self.source) else {
            return self.source.clone();
        };
        let chars: Vec<char> = self.source.chars().collect();
        let mut out = String::new();
        let mut last = 0;
        for (tok, at, text) in toks {
            if tok != Tok::Ident {
                continue;
            }
            let replacement = Component::ALL.iter().find_map(|&c| {
                let v = values.iter().find(|(k, _)| *k == c).and_then(|(_, v)| *v);
                if text == c.as_str() {
                    Some(crate::domain::appraisal::show_number(v.unwrap_or(0.0)))
                } else if text == format!("has_{}", c.as_str()) {
                    Some(v.is_some().to_string())
                } else {
                    None
                }
            });
            if let Some(r) = replacement {
                out.extend(&chars[last..at]);
                out.push_str(&r);
                last = at + text.chars().count();
            }
        }
        out.extend(&chars[last.min(chars.len())..]);
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn err(s: &str) -> FormulaError {
        Formula::parse(s).unwrap_err()
    }

    #[test]
    fn frappe_formula() {
        let f =
            Formula::parse("if(has_self, (goals + self + peer) / 3, (goals + self) / 2)").unwrap();
        let v = f
            .eval(&[
                (Component::Goals, Some(3.6)),
                (Component::SelfReview, Some(3.85)),
                (Component::Peer, Some(3.85)),
            ])
            .unwrap();
        assert!((v - 3.766_666_666).abs() < 1e-6);
        assert_eq!(Formula::parse("1/3").unwrap().eval(&[]).unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn refusals_have_positions() {
        let e = err("goals + sefl");
        assert!(e.message.contains("unknown variable 'sefl'"), "{e:?}");
        assert_eq!(e.at, 8);
        assert_eq!(err("goals / 0").at, 6);
        assert_eq!(err("goals / (2 - 2)").at, 6);
        assert_eq!(err("(goals + self").at, 0);
        assert_eq!(err("goals + * self").at, 8);
        assert_eq!(err("goals $ self").at, 6);
        assert!(err("goals > 1").message.contains("not a number"));
        assert!(err("x = 1").message.contains("not allowed"));
        assert!(err("system(1)").message.contains("unknown function"));
        assert!(err("\"a\"").message.contains("not allowed"));
        assert!(err("").message.contains("empty"));
    }

    #[test]
    fn substitution() {
        let f = Formula::parse("(goals + self) / 2").unwrap();
        assert_eq!(
            f.substituted(&[(Component::Goals, Some(3.6)), (Component::SelfReview, None)]),
            "(3.6 + 0) / 2"
        );
    }
}
