//! A small layer over the `postgres` client that the repositories of this
//! backend are written against. It gives them what SQLite gives its own:
//!
//! - `?N` placeholders (rewritten to PostgreSQL's `$N` once per statement);
//! - values typed like SQLite's, dynamically: a parameter is declared to
//!   the server by the value bound to it (whole number → `bigint`, real →
//!   `double precision`, text → `text`, null → left for the server to
//!   infer), and every column reads back as a [`Val`] whatever its SQL type
//!   (`numeric` from `sum`, `boolean`, `jsonb`…), converted by the caller's
//!   type like the SQLite backend's rows;
//! - statements prepared once per connection and SQL text and parameter
//!   types, and cached;
//! - `&self` methods over the one connection (a `RefCell`), so a session
//!   can hand the connection to its helpers as SQLite's sessions do.
//!
//! Values are always bound as parameters, never formatted into SQL.

use crate::store::StoreError;
use crate::store::exchange::Val;
use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};
use postgres::{Client, Statement};
use std::cell::RefCell;
use std::collections::HashMap;

/// An error of this layer: no row where one was expected (which
/// [`OptionalExtension::optional`] turns into `None`), or a store error.
#[derive(Debug)]
pub enum PgError {
    /// The query returned no rows.
    NoRows,
    /// Anything else, classified.
    Store(StoreError),
}

/// Results of this layer.
pub type Result<T> = std::result::Result<T, PgError>;

impl From<StoreError> for PgError {
    fn from(e: StoreError) -> Self {
        PgError::Store(e)
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::NoRows => StoreError::internal("a query that must return a row returned none"),
            PgError::Store(e) => e,
        }
    }
}

impl From<PgError> for crate::Error {
    fn from(e: PgError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<postgres::Error> for PgError {
    fn from(e: postgres::Error) -> Self {
        PgError::Store(super::classify(e))
    }
}

/// `.optional()`: no row is `None`.
pub trait OptionalExtension<T> {
    /// No row is `Ok(None)`.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(PgError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `.sql()`: this layer's result as a store result.
pub trait Sql<T> {
    /// Classified.
    fn sql(self) -> crate::store::StoreResult<T>;
}

impl<T> Sql<T> for Result<T> {
    fn sql(self) -> crate::store::StoreResult<T> {
        self.map_err(StoreError::from)
    }
}

/// A value that can be bound as a parameter.
pub trait Param {
    /// The value, SQLite-style.
    fn val(&self) -> Val;
}

impl Param for Val {
    fn val(&self) -> Val {
        self.clone()
    }
}
impl Param for i64 {
    fn val(&self) -> Val {
        Val::Int(*self)
    }
}
impl Param for i32 {
    fn val(&self) -> Val {
        Val::Int(i64::from(*self))
    }
}
impl Param for u32 {
    fn val(&self) -> Val {
        Val::Int(i64::from(*self))
    }
}
impl Param for usize {
    fn val(&self) -> Val {
        Val::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl Param for bool {
    fn val(&self) -> Val {
        Val::Int(i64::from(*self))
    }
}
impl Param for f64 {
    fn val(&self) -> Val {
        Val::Real(*self)
    }
}
impl Param for str {
    fn val(&self) -> Val {
        Val::Text(self.to_string())
    }
}
impl Param for String {
    fn val(&self) -> Val {
        Val::Text(self.clone())
    }
}
impl Param for chrono::NaiveDate {
    fn val(&self) -> Val {
        Val::Text(self.format("%Y-%m-%d").to_string())
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn val(&self) -> Val {
        (**self).val()
    }
}
impl<T: Param> Param for Option<T> {
    fn val(&self) -> Val {
        match self {
            Some(v) => v.val(),
            None => Val::Null,
        }
    }
}

/// Parameters for a statement: `params![a, b, c]`.
#[macro_export]
#[doc(hidden)]
macro_rules! pg_params {
    () => { &[] as &[&dyn $crate::store::postgres::conn::Param] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::store::postgres::conn::Param),+] as &[&dyn $crate::store::postgres::conn::Param] };
}
pub use crate::pg_params as params;

/// A value bound to a parameter, converted to the type the server gave it.
#[derive(Debug)]
struct Bound(Val);

fn bad_param(v: &Val, ty: &Type) -> Box<dyn std::error::Error + Sync + Send> {
    format!("cannot bind {v:?} to a parameter of type {ty}").into()
}

impl ToSql for Bound {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let v = &self.0;
        match v {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)
                    .map_err(|_| bad_param(v, ty))?
                    .to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)
                    .map_err(|_| bad_param(v, ty))?
                    .to_sql(ty, out),
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT8 => (*n as f64).to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    n.to_string().to_sql(&Type::TEXT, out)
                }
                _ => Err(bad_param(v, ty)),
            },
            Val::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                #[allow(clippy::cast_possible_truncation)]
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => {
                    f.to_string().to_sql(&Type::TEXT, out)
                }
                _ => Err(bad_param(v, ty)),
            },
            Val::Text(s) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    s.as_str().to_sql(&Type::TEXT, out)
                }
                Type::JSON => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::INT8 => s
                    .parse::<i64>()
                    .map_err(|_| bad_param(v, ty))?
                    .to_sql(ty, out),
                _ => Err(bad_param(v, ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column read back as a [`Val`], whatever its SQL type.
struct Cell(Val);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(match *ty {
            Type::INT8 => Val::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Val::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Val::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Val::Int(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => Val::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Val::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Val::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::NUMERIC => numeric(raw)?,
            Type::JSONB => {
                Val::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_string())
            }
            _ => Val::Text(std::str::from_utf8(raw)?.to_string()),
        }))
    }

    fn from_sql_null(
        _: &Type,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(Val::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `numeric` (what `sum` of whole numbers gives): a
/// whole number when it has no fraction, else a real.
fn numeric(raw: &[u8]) -> std::result::Result<Val, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> std::result::Result<i32, Box<dyn std::error::Error + Sync + Send>> {
        match raw.get(i * 2..i * 2 + 2) {
            Some([a, b]) => Ok(i32::from(i16::from_be_bytes([*a, *b]))),
            _ => Err("short numeric".into()),
        }
    };
    let ndigits = word(0)?;
    let weight = word(1)?;
    let sign = word(2)? & 0xFFFF;
    if sign == 0xC000 {
        return Err("NaN in a numeric column".into());
    }
    let negative = sign == 0x4000;
    let mut value = 0f64;
    let mut whole: Option<i128> = Some(0);
    let mut fraction = false;
    for i in 0..ndigits {
        let d = word(4 + usize::try_from(i)?)?;
        let exp = weight - i;
        value += f64::from(d) * 10000f64.powi(exp);
        if exp >= 0 {
            let scale = 10000i128.checked_pow(u32::try_from(exp)?);
            whole = whole
                .zip(scale)
                .and_then(|(w, s)| s.checked_mul(i128::from(d)).and_then(|x| w.checked_add(x)));
        } else if d != 0 {
            fraction = true;
        }
    }
    if !fraction {
        if let Some(w) = whole.and_then(|w| i64::try_from(w).ok()) {
            return Ok(Val::Int(if negative { -w } else { w }));
        }
    }
    Ok(Val::Real(if negative { -value } else { value }))
}

/// A value read from a column, converted like the SQLite backend's rows.
pub trait FromVal: Sized {
    /// Convert, or say why not.
    fn from_val(v: Val) -> std::result::Result<Self, String>;
}

impl FromVal for Val {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        Ok(v)
    }
}
impl FromVal for i64 {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        match v {
            Val::Int(n) => Ok(n),
            other => Err(format!("expected a whole number, found {other:?}")),
        }
    }
}
impl FromVal for i32 {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        i32::try_from(i64::from_val(v)?).map_err(|e| e.to_string())
    }
}
impl FromVal for u32 {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        u32::try_from(i64::from_val(v)?).map_err(|e| e.to_string())
    }
}
impl FromVal for u8 {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        u8::try_from(i64::from_val(v)?).map_err(|e| e.to_string())
    }
}
impl FromVal for u64 {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        u64::try_from(i64::from_val(v)?).map_err(|e| e.to_string())
    }
}
impl FromVal for usize {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        usize::try_from(i64::from_val(v)?).map_err(|e| e.to_string())
    }
}
impl FromVal for bool {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        Ok(i64::from_val(v)? != 0)
    }
}
impl FromVal for f64 {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        match v {
            Val::Real(f) => Ok(f),
            #[allow(clippy::cast_precision_loss)]
            Val::Int(n) => Ok(n as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}
impl FromVal for String {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        match v {
            Val::Text(s) => Ok(s),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl<T: FromVal> FromVal for Option<T> {
    fn from_val(v: Val) -> std::result::Result<Self, String> {
        match v {
            Val::Null => Ok(None),
            v => T::from_val(v).map(Some),
        }
    }
}

/// One row of a result.
pub struct Row {
    vals: Vec<Val>,
}

impl Row {
    /// Column `i`, converted.
    pub fn get<I: RowIndex, T: FromVal>(&self, i: I) -> Result<T> {
        let i = i.index();
        let v = self
            .vals
            .get(i)
            .cloned()
            .ok_or_else(|| StoreError::internal(format!("no column {i} in a result row")))?;
        T::from_val(v).map_err(|e| {
            PgError::Store(StoreError::Unavailable {
                message: format!(
                    "the database holds a value yardstick cannot read (column {i}): {e}"
                ),
                hint: Some(
                    "run `yardstick doctor`; restore from a backup if it reports damage".into(),
                ),
                source: None,
            })
        })
    }

    /// Column `i` as it is.
    pub fn val(&self, i: usize) -> Result<&Val> {
        self.vals
            .get(i)
            .ok_or_else(|| StoreError::internal(format!("no column {i} in a result row")).into())
    }

    /// How many columns.
    pub fn len(&self) -> usize {
        self.vals.len()
    }

    /// Whether it has no columns.
    pub fn is_empty(&self) -> bool {
        self.vals.is_empty()
    }
}

/// A column index (by position).
pub trait RowIndex {
    /// The position.
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// What a statement's parameters can be given as.
pub trait IntoParams {
    /// The values.
    fn vals(self) -> Vec<Val>;
}

impl IntoParams for &[&dyn Param] {
    fn vals(self) -> Vec<Val> {
        self.iter().map(|p| p.val()).collect()
    }
}

impl IntoParams for [&dyn Param; 0] {
    fn vals(self) -> Vec<Val> {
        Vec::new()
    }
}

impl IntoParams for Vec<Val> {
    fn vals(self) -> Vec<Val> {
        self
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: Param> IntoParams for [T; $n] {
            fn vals(self) -> Vec<Val> {
                self.iter().map(Param::val).collect()
            }
        }
        impl<T: Param> IntoParams for &[T; $n] {
            fn vals(self) -> Vec<Val> {
                self.iter().map(Param::val).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8);

/// Parameters from an iterator of values.
pub fn params_from_iter<'a, I, T>(iter: I) -> Vec<Val>
where
    I: IntoIterator<Item = &'a T>,
    T: Param + 'a + ?Sized,
{
    iter.into_iter().map(Param::val).collect()
}

/// A statement to run over a connection (prepared on first use and cached).
pub struct Stmt<'c> {
    conn: &'c Conn,
    sql: String,
}

impl Stmt<'_> {
    /// The first row through `f`.
    pub fn query_row<T>(
        &mut self,
        params: impl IntoParams,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.conn.query_row(&self.sql, params, f)
    }

    /// Every row through `f`.
    pub fn query_map<T>(
        &mut self,
        params: impl IntoParams,
        f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let rows = self.conn.run_query(&self.sql, params.vals())?;
        let mut f = f;
        let out: Vec<Result<T>> = rows.iter().map(&mut f).collect();
        Ok(out.into_iter())
    }

    /// Every row.
    pub fn query(&mut self, params: impl IntoParams) -> Result<Rows<'_>> {
        let rows = self.conn.run_query(&self.sql, params.vals())?;
        Ok(Rows {
            conn: self.conn,
            name: String::new(),
            generation: 0,
            buffer: rows.into(),
            done: true,
            current: None,
        })
    }

    /// Every row, read through a cursor a batch at a time: for results
    /// that grow with the data (every check-in of an export), so that
    /// memory stays flat.
    pub fn stream(&mut self, params: impl IntoParams) -> Result<Rows<'_>> {
        self.conn.cursor(&self.sql, params.vals())
    }

    /// Run it; how many rows it changed.
    pub fn execute(&mut self, params: impl IntoParams) -> Result<usize> {
        self.conn.execute(&self.sql, params)
    }
}

/// Rows of a result, one at a time.
pub struct Rows<'c> {
    conn: &'c Conn,
    name: String,
    /// The transaction the cursor lives in.
    generation: u64,
    buffer: std::collections::VecDeque<Row>,
    done: bool,
    current: Option<Row>,
}

/// Rows fetched from a cursor at a time.
const FETCH: usize = 1000;

impl Rows<'_> {
    /// The next row.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<&Row>> {
        if self.buffer.is_empty() && !self.done {
            let sql = format!("FETCH {FETCH} FROM {}", self.name);
            let rows = self.conn.run_query_in(&sql, Vec::new(), false);
            let rows = self.conn.recover(rows)?;
            self.done = rows.len() < FETCH;
            self.buffer.extend(rows);
        }
        self.current = self.buffer.pop_front();
        Ok(self.current.as_ref())
    }
}

impl Drop for Rows<'_> {
    fn drop(&mut self) {
        // A cursor ends with its transaction; one left half-read is closed
        // early (only in its own transaction, where it surely exists: a
        // failed CLOSE would spoil the transaction).
        if self.done || self.generation != self.conn.generation.get() {
            return;
        }
        if let Ok(mut c) = self.conn.client.try_borrow_mut() {
            let _ = c.batch_execute(&format!("CLOSE {}", self.name));
        }
    }
}

/// Rewrite SQLite's `?N` and `?` placeholders as `$N`, leaving quoted text alone.
pub fn rewrite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next = 0u32;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    next += 1;
                    out.push_str(&next.to_string());
                } else {
                    out.push_str(&digits);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The type a value is declared as (`None`: let the server infer it).
fn declared(v: &Val) -> Option<Type> {
    match v {
        Val::Null => None,
        Val::Int(_) => Some(Type::INT8),
        Val::Real(_) => Some(Type::FLOAT8),
        Val::Text(_) => Some(Type::TEXT),
    }
}

/// The transaction a connection is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    /// None.
    Idle,
    /// A read-only snapshot, begun by the first read and ended by the next
    /// write (or the connection's end): every read of a command sees one
    /// consistent state, and cannot write.
    Read,
    /// A write (or a migration, a rehearsal, an undo).
    Write,
}

/// One connection, used through `&self`.
pub struct Conn {
    client: RefCell<Client>,
    cache: RefCell<HashMap<(String, Vec<u32>), Statement>>,
    trace: Option<RefCell<std::fs::File>>,
    /// Inside a write transaction: each changing statement runs under a
    /// savepoint, so that a refused one (a guard, a unique key) leaves the
    /// transaction usable, as a failed statement does in SQLite.
    guarded: std::cell::Cell<bool>,
    /// The id of the last row inserted through [`Conn::execute`].
    last_id: std::cell::Cell<i64>,
    /// The transaction the connection is in.
    tx: std::cell::Cell<Tx>,
    /// Cursors opened so far (each gets a new name).
    cursors: std::cell::Cell<u64>,
    /// Transactions begun so far (a cursor lives only in its own).
    generation: std::cell::Cell<u64>,
    /// The columns of each table and their SQL types, read once.
    pub(super) columns: RefCell<HashMap<String, Vec<(String, String)>>>,
}

impl Conn {
    /// Wrap a connected client.
    pub fn new(client: Client) -> Conn {
        let trace = std::env::var_os("YARDSTICK_TRACE_SQL")
            .filter(|p| !p.is_empty())
            .and_then(|p| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .ok()
            })
            .map(RefCell::new);
        Conn {
            client: RefCell::new(client),
            cache: RefCell::new(HashMap::new()),
            trace,
            guarded: std::cell::Cell::new(false),
            last_id: std::cell::Cell::new(0),
            tx: std::cell::Cell::new(Tx::Idle),
            cursors: std::cell::Cell::new(0),
            generation: std::cell::Cell::new(0),
            columns: RefCell::new(HashMap::new()),
        }
    }

    fn client(&self) -> Result<std::cell::RefMut<'_, Client>> {
        self.client.try_borrow_mut().map_err(|_| {
            PgError::Store(StoreError::internal(
                "the PostgreSQL connection was used while it was busy",
            ))
        })
    }

    /// Begin a write transaction with `sql` (`BEGIN …`), ending a read
    /// snapshot first.
    pub fn begin(&self, sql: &str) -> Result<()> {
        self.generation.set(self.generation.get() + 1);
        if self.tx.get() == Tx::Read {
            self.tx.set(Tx::Idle);
            self.batch("COMMIT")?;
        }
        self.batch(sql)?;
        self.tx.set(Tx::Write);
        Ok(())
    }

    /// End the write transaction: commit, or roll back.
    pub fn finish(&self, commit: bool) -> Result<()> {
        self.generation.set(self.generation.get() + 1);
        self.tx.set(Tx::Idle);
        self.batch(if commit { "COMMIT" } else { "ROLLBACK" })
    }

    /// Outside a transaction, begin a read-only snapshot.
    fn snapshot(&self) -> Result<()> {
        if self.tx.get() == Tx::Idle {
            self.generation.set(self.generation.get() + 1);
            self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            self.tx.set(Tx::Read);
        }
        Ok(())
    }

    /// After a failed read in a snapshot: start the next one afresh (a
    /// failed statement spoils the transaction it ran in).
    fn recover<T>(&self, r: Result<T>) -> Result<T> {
        if r.is_err() && self.tx.get() == Tx::Read {
            self.generation.set(self.generation.get() + 1);
            self.tx.set(Tx::Idle);
            let _ = self.batch("ROLLBACK");
        }
        r
    }

    /// Run statements without parameters (DDL, transaction control).
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.traced(sql);
        self.client()?.batch_execute(sql)?;
        Ok(())
    }

    fn traced(&self, sql: &str) {
        if let Some(t) = &self.trace {
            if let Ok(mut f) = t.try_borrow_mut() {
                use std::io::Write;
                let _ = writeln!(f, "{}", sql.replace(['\n', '\r'], " "));
            }
        }
    }

    /// Prepare a statement used once (not cached: a cursor's).
    fn prepare_once(&self, sql: &str, vals: &[Val]) -> Result<Statement> {
        let unspecified = Type::new("unspecified".into(), 0, Kind::Pseudo, "pg_catalog".into());
        let types: Vec<Type> = vals
            .iter()
            .map(|v| declared(v).unwrap_or_else(|| unspecified.clone()))
            .collect();
        let text = rewrite(sql);
        self.traced(&text);
        Ok(self.client()?.prepare_typed(&text, &types)?)
    }

    /// Open a cursor over `sql` in the current transaction (a snapshot if
    /// none) and read it in batches: memory stays flat however many rows.
    fn cursor(&self, sql: &str, vals: Vec<Val>) -> Result<Rows<'_>> {
        self.snapshot()?;
        let n = self.cursors.get() + 1;
        self.cursors.set(n);
        let name = format!("ys_cursor_{n}");
        let stmt = self.prepare_once(&format!("DECLARE {name} NO SCROLL CURSOR FOR {sql}"), &vals);
        let declared = stmt.and_then(|stmt| {
            let bound: Vec<Bound> = vals.into_iter().map(Bound).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
            self.client()?.execute(&stmt, &refs)?;
            Ok(())
        });
        self.recover(declared)?;
        Ok(Rows {
            conn: self,
            name,
            generation: self.generation.get(),
            buffer: std::collections::VecDeque::new(),
            done: false,
            current: None,
        })
    }

    fn prepared(&self, sql: &str, vals: &[Val]) -> Result<Statement> {
        let types: Vec<Option<Type>> = vals.iter().map(declared).collect();
        let key = (
            sql.to_string(),
            types
                .iter()
                .map(|t| t.as_ref().map_or(0, Type::oid))
                .collect(),
        );
        if let Some(s) = self.cache.borrow().get(&key) {
            return Ok(s.clone());
        }
        let unspecified = Type::new("unspecified".into(), 0, Kind::Pseudo, "pg_catalog".into());
        let types: Vec<Type> = types
            .into_iter()
            .map(|t| t.unwrap_or_else(|| unspecified.clone()))
            .collect();
        let text = rewrite(sql);
        self.traced(&text);
        let stmt = self.client()?.prepare_typed(&text, &types)?;
        self.cache.borrow_mut().insert(key, stmt.clone());
        Ok(stmt)
    }

    /// A statement (prepared on first use).
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt {
            conn: self,
            sql: sql.to_string(),
        })
    }

    /// A statement (prepared on first use).
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    fn run_query(&self, sql: &str, vals: Vec<Val>) -> Result<Vec<Row>> {
        self.snapshot()?;
        let r = self.run_query_in(sql, vals, true);
        self.recover(r)
    }

    fn run_query_in(&self, sql: &str, vals: Vec<Val>, cached: bool) -> Result<Vec<Row>> {
        let stmt = if cached {
            self.prepared(sql, &vals)?
        } else {
            self.prepare_once(sql, &vals)?
        };
        let bound: Vec<Bound> = vals.into_iter().map(Bound).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let rows = self.client()?.query(&stmt, &refs)?;
        rows.iter()
            .map(|r| {
                let vals = (0..r.len())
                    .map(|i| {
                        r.try_get::<_, Cell>(i).map(|c| c.0).map_err(|e| {
                            PgError::Store(StoreError::Unavailable {
                                message: format!(
                                    "the database holds a value yardstick cannot read: {e}"
                                ),
                                hint: None,
                                source: Some(Box::new(e)),
                            })
                        })
                    })
                    .collect::<Result<Vec<Val>>>()?;
                Ok(Row { vals })
            })
            .collect()
    }

    /// The id of the last row inserted through [`Conn::execute`].
    pub fn last_insert_rowid(&self) -> i64 {
        self.last_id.get()
    }

    /// Run changing statements under savepoints (inside a write).
    pub fn set_guarded(&self, on: bool) {
        self.guarded.set(on);
    }

    /// Run `f` under a savepoint when guarded: a failure rolls back to it.
    fn guard<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if !self.guarded.get() {
            return f();
        }
        self.client()?.batch_execute("SAVEPOINT ys_stmt")?;
        match f() {
            Ok(v) => {
                self.client()?.batch_execute("RELEASE SAVEPOINT ys_stmt")?;
                Ok(v)
            }
            Err(e) => {
                // The statement's own error is what matters.
                let _ = self.client().map(|mut c| {
                    c.batch_execute("ROLLBACK TO SAVEPOINT ys_stmt; RELEASE SAVEPOINT ys_stmt")
                });
                Err(e)
            }
        }
    }

    /// Run a statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: impl IntoParams) -> Result<usize> {
        let vals = params.vals();
        self.guard(|| self.execute_vals(sql, vals))
    }

    /// Run a statement as it is (no id handed back for an insert).
    pub fn execute_plain(&self, sql: &str, params: impl IntoParams) -> Result<usize> {
        let vals = params.vals();
        self.guard(|| self.execute_raw(sql, vals))
    }

    fn execute_vals(&self, sql: &str, vals: Vec<Val>) -> Result<usize> {
        // Every table has an `id`: an insert hands back the ids it made,
        // and the last is kept, as SQLite's `last_insert_rowid()`.
        if sql.trim_start().starts_with("INSERT") && !sql.contains("RETURNING") {
            let rows = self.run_query(&format!("{sql} RETURNING id"), vals)?;
            if let Some(last) = rows.last() {
                self.last_id.set(last.get(0)?);
            }
            return Ok(rows.len());
        }
        self.execute_raw(sql, vals)
    }

    fn execute_raw(&self, sql: &str, vals: Vec<Val>) -> Result<usize> {
        self.snapshot()?;
        let r = self.execute_in(sql, vals);
        self.recover(r)
    }

    fn execute_in(&self, sql: &str, vals: Vec<Val>) -> Result<usize> {
        let stmt = self.prepared(sql, &vals)?;
        let bound: Vec<Bound> = vals.into_iter().map(Bound).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let n = self.client()?.execute(&stmt, &refs)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Insert a row into a table with an `id` and return its id.
    pub fn insert(&self, sql: &str, params: impl IntoParams) -> Result<i64> {
        let sql = format!("{sql} RETURNING id");
        let vals = params.vals();
        self.guard(|| self.query_row(&sql, vals, |r| r.get(0)))
    }

    /// The first row, through `f`; [`PgError::NoRows`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl IntoParams,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let rows = self.run_query(sql, params.vals())?;
        match rows.first() {
            Some(r) => f(r),
            None => Err(PgError::NoRows),
        }
    }

    /// Every row, through `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: impl IntoParams,
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.run_query(sql, params.vals())?
            .iter()
            .map(&mut f)
            .collect()
    }

    /// Every row.
    pub fn query(&self, sql: &str, params: impl IntoParams) -> Result<Vec<Row>> {
        self.run_query(sql, params.vals())
    }

    /// Forget the prepared statements (after the schema changed).
    pub fn clear_cache(&self) {
        self.cache.borrow_mut().clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn placeholders_are_rewritten_outside_quotes() {
        assert_eq!(
            rewrite("SELECT ?1, '?2', \"a?\" FROM t WHERE x = ?12 AND y = ?"),
            "SELECT $1, '?2', \"a?\" FROM t WHERE x = $12 AND y = $1"
        );
        assert_eq!(rewrite("VALUES (?, ?)"), "VALUES ($1, $2)");
    }

    /// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, digits.
    fn numeric_bytes(weight: i16, negative: bool, scale: i16, digits: &[i16]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [
            i16::try_from(digits.len()).unwrap(),
            weight,
            if negative { 0x4000 } else { 0 },
            scale,
        ] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_read_as_whole_numbers_or_reals() {
        // 123456789 = 1 2345 6789 (base 10000), weight 2.
        let n = numeric(&numeric_bytes(2, false, 0, &[1, 2345, 6789])).unwrap();
        assert_eq!(n, Val::Int(123_456_789));
        // 20000: one digit group "2" with weight 1.
        assert_eq!(
            numeric(&numeric_bytes(1, false, 0, &[2])).unwrap(),
            Val::Int(20_000)
        );
        assert_eq!(
            numeric(&numeric_bytes(0, true, 0, &[7])).unwrap(),
            Val::Int(-7)
        );
        assert_eq!(
            numeric(&numeric_bytes(0, false, 0, &[])).unwrap(),
            Val::Int(0)
        );
        // 2.5 = 2 . 5000
        assert_eq!(
            numeric(&numeric_bytes(0, false, 1, &[2, 5000])).unwrap(),
            Val::Real(2.5)
        );
    }

    #[test]
    fn values_convert_like_sqlite_rows() {
        assert_eq!(f64::from_val(Val::Int(3)).unwrap(), 3.0);
        assert!(bool::from_val(Val::Int(1)).unwrap());
        assert_eq!(Option::<i64>::from_val(Val::Null).unwrap(), None);
        assert!(String::from_val(Val::Int(1)).is_err());
    }
}
