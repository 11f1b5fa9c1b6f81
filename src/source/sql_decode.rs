//! Database values -> JSON values a condition can read: integers stay
//! integers, NUMERIC becomes a number, timestamps become RFC 3339 strings,
//! booleans stay booleans (also SQLite's 0/1 in a BOOLEAN column), NULL is
//! null. A type liftoff cannot read is an error that says how to cast it.

use super::SourceError;
use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
use serde_json::{Map, Number, Value};
use sqlx::postgres::{PgRow, PgTypeKind};
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Decode, Row as _, Sqlite, TypeInfo, ValueRef};

/// One row: column name -> value, in the query's column order.
pub type Row = Map<String, Value>;

fn unreadable(column: &str, ty: &str) -> SourceError {
    SourceError::Query(format!(
        "column `{column}` has type {ty}, which liftoff does not read: cast it in the query (e.g. {column}::text or {column}::float8)"
    ))
}

fn decode_error(column: &str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Parse(format!("column `{column}`: {e}"))
}

fn float(f: f64) -> Value {
    // JSON has no NaN or infinity: null makes a condition on it UNKNOWN, not a pass.
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// NUMERIC as a number: an integer when the database gives it no fractional
/// digits (`sum(bigint)`, `numeric(10,0)`) and it fits, else a double
/// (`avg(...)`, `100.0 * a / b`), so a column keeps one type from row to row.
fn numeric(d: &BigDecimal) -> Value {
    let (_, scale) = d.as_bigint_and_exponent();
    if scale <= 0 {
        if let Some(i) = d.to_i64() {
            return Value::from(i);
        }
    }
    d.to_f64().map(float).unwrap_or(Value::Null)
}

fn rfc3339(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// A timestamp without a time zone is taken as UTC.
fn naive(t: NaiveDateTime) -> Value {
    rfc3339(t.and_utc())
}

pub fn pg_row(row: &PgRow) -> Result<Row, SourceError> {
    let mut out = Map::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        out.insert(col.name().to_string(), pg_value(row, i, col.name())?);
    }
    Ok(out)
}

fn pg_value(row: &PgRow, i: usize, name: &str) -> Result<Value, SourceError> {
    let raw = row.try_get_raw(i).map_err(|e| decode_error(name, e))?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let info = raw.type_info().into_owned();
    let get_err = |e: sqlx::Error| decode_error(name, e);
    Ok(match info.name() {
        "BOOL" => Value::Bool(row.try_get::<bool, _>(i).map_err(get_err)?),
        "INT2" => Value::from(row.try_get::<i16, _>(i).map_err(get_err)?),
        "INT4" => Value::from(row.try_get::<i32, _>(i).map_err(get_err)?),
        "INT8" => Value::from(row.try_get::<i64, _>(i).map_err(get_err)?),
        "FLOAT4" => float(row.try_get::<f32, _>(i).map_err(get_err)? as f64),
        "FLOAT8" => float(row.try_get::<f64, _>(i).map_err(get_err)?),
        "NUMERIC" => numeric(&row.try_get::<BigDecimal, _>(i).map_err(get_err)?),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" | "UNKNOWN" => {
            Value::String(row.try_get::<String, _>(i).map_err(get_err)?)
        }
        "TIMESTAMPTZ" => rfc3339(row.try_get::<DateTime<Utc>, _>(i).map_err(get_err)?),
        "TIMESTAMP" => naive(row.try_get::<NaiveDateTime, _>(i).map_err(get_err)?),
        "DATE" => Value::String(row.try_get::<NaiveDate, _>(i).map_err(get_err)?.to_string()),
        "TIME" => Value::String(row.try_get::<NaiveTime, _>(i).map_err(get_err)?.to_string()),
        "JSON" | "JSONB" => {
            row.try_get::<sqlx::types::Json<Value>, _>(i)
                .map_err(get_err)?
                .0
        }
        "UUID" => Value::String(uuid_text(
            raw.as_bytes().map_err(|e| decode_error(name, e))?,
        )),
        other => match info.kind() {
            // An enum's binary form is its label (e.g. SQLAlchemy's phasestate).
            PgTypeKind::Enum(_) => {
                let bytes = raw.as_bytes().map_err(|e| decode_error(name, e))?;
                Value::String(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => return Err(unreadable(name, other)),
        },
    })
}

fn uuid_text(b: &[u8]) -> String {
    if b.len() != 16 {
        return hex::encode(b);
    }
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn sqlite_row(row: &SqliteRow) -> Result<Row, SourceError> {
    let mut out = Map::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let declared = col.type_info().name().to_ascii_uppercase();
        out.insert(
            col.name().to_string(),
            sqlite_value(row, i, col.name(), &declared)?,
        );
    }
    Ok(out)
}

/// SQLite types are per value; the column's declared type only refines them
/// (BOOLEAN 0/1 -> bool, DATETIME text -> RFC 3339).
fn sqlite_value(
    row: &SqliteRow,
    i: usize,
    name: &str,
    declared: &str,
) -> Result<Value, SourceError> {
    let raw = row.try_get_raw(i).map_err(|e| decode_error(name, e))?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let actual = raw.type_info().name().to_string();
    let err = |e: sqlx::error::BoxDynError| decode_error(name, e);
    Ok(match actual.as_str() {
        "INTEGER" | "BOOLEAN" | "INT4" => {
            let n = <i64 as Decode<Sqlite>>::decode(raw).map_err(err)?;
            if declared == "BOOLEAN" {
                Value::Bool(n != 0)
            } else {
                Value::from(n)
            }
        }
        "REAL" => float(<f64 as Decode<Sqlite>>::decode(raw).map_err(err)?),
        "BLOB" => {
            let bytes = <Vec<u8> as Decode<Sqlite>>::decode(raw).map_err(err)?;
            Value::String(format!("<{} bytes>", bytes.len()))
        }
        _ => {
            let text = <String as Decode<Sqlite>>::decode(raw).map_err(err)?;
            match declared {
                "DATETIME" => sqlite_timestamp(&text).unwrap_or(Value::String(text)),
                _ => Value::String(text),
            }
        }
    })
}

/// SQLite keeps timestamps as text in several shapes (SQLAlchemy writes
/// `2025-12-31 10:00:00.123456`); each becomes RFC 3339 in UTC.
fn sqlite_timestamp(text: &str) -> Option<Value> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(rfc3339(t.with_timezone(&Utc)));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(text, fmt) {
            return Some(rfc3339(t.with_timezone(&Utc)));
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(naive(t));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn numeric_is_an_integer_when_it_is_one() {
        let n = |s: &str| numeric(&BigDecimal::from_str(s).unwrap());
        assert_eq!(n("42"), Value::from(42));
        assert_eq!(n("42.000"), serde_json::json!(42.0));
        assert_eq!(n("0.95000000000000000000"), serde_json::json!(0.95));
        assert_eq!(
            n("123456789012345678901234567890"),
            serde_json::json!(1.2345678901234568e29)
        );
    }

    #[test]
    fn non_finite_floats_are_null() {
        assert_eq!(float(f64::NAN), Value::Null);
        assert_eq!(float(f64::INFINITY), Value::Null);
    }

    #[test]
    fn sqlite_timestamps_become_rfc3339_utc() {
        let t = |s: &str| sqlite_timestamp(s).unwrap();
        assert_eq!(t("2025-12-31 10:00:00"), "2025-12-31T10:00:00Z");
        assert_eq!(t("2025-12-31 10:00:00.250000"), "2025-12-31T10:00:00.250Z");
        assert_eq!(t("2025-12-31T10:00:00+02:00"), "2025-12-31T08:00:00Z");
        assert_eq!(t("2025-12-31 10:00:00+02:00"), "2025-12-31T08:00:00Z");
        assert_eq!(sqlite_timestamp("yesterday"), None);
    }

    #[test]
    fn uuids_read_as_text() {
        let b: Vec<u8> = (0u8..16).collect();
        assert_eq!(uuid_text(&b), "00010203-0405-0607-0809-0a0b0c0d0e0f");
    }
}
