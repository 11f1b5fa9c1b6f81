//! labelSelector and fieldSelector, read the way the API server reads them.

use serde_json::Value;

enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// `a=b,c!=d,e in (f,g),h,!i`, as the API server reads labelSelector.
pub(super) struct LabelSelector(Vec<Req>);

impl LabelSelector {
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut parts = Vec::new();
        let (mut depth, mut cur) = (0, String::new());
        for ch in s.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(ch);
        }
        parts.push(cur);
        let set = |v: &str| -> Vec<String> {
            v.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .map(|x| x.trim().to_string())
                .collect()
        };
        let mut reqs = Vec::new();
        for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let r = if let Some((k, v)) = p.split_once("!=") {
                Req::NotEq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once(" notin ") {
                Req::NotIn(k.trim().into(), set(v))
            } else if let Some((k, v)) = p.split_once(" in ") {
                Req::In(k.trim().into(), set(v))
            } else if let Some(k) = p.strip_prefix('!') {
                Req::NotExists(k.trim().into())
            } else if p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                Req::Exists(p.into())
            } else {
                return Err(format!("unable to parse requirement: {p:?}"));
            };
            reqs.push(r);
        }
        Ok(LabelSelector(reqs))
    }

    pub fn matches(&self, o: &Value) -> bool {
        let label = |k: &str| o["metadata"]["labels"][k].as_str().map(str::to_string);
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => label(k).as_deref() == Some(v),
            Req::NotEq(k, v) => label(k).as_deref() != Some(v),
            Req::In(k, vs) => label(k).is_some_and(|l| vs.contains(&l)),
            Req::NotIn(k, vs) => label(k).is_none_or(|l| !vs.contains(&l)),
            Req::Exists(k) => label(k).is_some(),
            Req::NotExists(k) => label(k).is_none(),
        })
    }
}

/// `metadata.name=x,status.phase!=Running`: any dotted path, `=`, `==`, `!=`.
pub(super) struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, String> {
        let mut out = Vec::new();
        for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, eq, v) = if let Some((k, v)) = p.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                (k, true, v)
            } else {
                return Err(format!("invalid field selector: {p:?}"));
            };
            out.push((k.trim().to_string(), eq, v.trim().to_string()));
        }
        Ok(FieldSelector(out))
    }

    pub fn matches(&self, o: &Value) -> bool {
        self.0.iter().all(|(path, eq, want)| {
            let got = path.split('.').fold(o, |v, k| &v[k]);
            let got = match got {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (got == *want) == *eq
        })
    }
}
