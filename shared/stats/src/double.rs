//! [`Double`]: an `f64` that survives JSON the way Model Monitor's Jackson output writes it.
//!
//! Finite values serialise as JSON numbers; `NaN` and the infinities serialise as the strings
//! `"NaN"`, `"Infinity"` and `"-Infinity"` (as Jackson does with `ALLOW_NON_NUMERIC_NUMBERS`
//! and as SageMaker's model-quality files show: `"standard_deviation" : "NaN"`). Reading
//! accepts both spellings.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A double as Model Monitor writes it: a number, or `"NaN"` / `"Infinity"` / `"-Infinity"`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Double(pub f64);

impl From<f64> for Double {
    fn from(v: f64) -> Self {
        Double(v)
    }
}

impl From<Double> for f64 {
    fn from(v: Double) -> Self {
        v.0
    }
}

impl Serialize for Double {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v == f64::INFINITY {
            s.serialize_str("Infinity")
        } else if v == f64::NEG_INFINITY {
            s.serialize_str("-Infinity")
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for Double {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Num(f64),
            Text(String),
        }
        match Repr::deserialize(d)? {
            Repr::Num(v) => Ok(Double(v)),
            Repr::Text(t) => match t.trim() {
                "NaN" | "nan" => Ok(Double(f64::NAN)),
                "Infinity" | "+Infinity" | "inf" => Ok(Double(f64::INFINITY)),
                "-Infinity" | "-inf" => Ok(Double(f64::NEG_INFINITY)),
                other => other.parse::<f64>().map(Double).map_err(|_| {
                    serde::de::Error::custom(format!(
                        "expected a number or \"NaN\", found {other:?}"
                    ))
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_round_trips_as_string() {
        let s = serde_json::to_string(&Double(f64::NAN)).unwrap();
        assert_eq!(s, "\"NaN\"");
        let back: Double = serde_json::from_str(&s).unwrap();
        assert!(back.0.is_nan());
        let n: Double = serde_json::from_str("2.5").unwrap();
        assert_eq!(n.0, 2.5);
        assert!(serde_json::from_str::<Double>("\"abc\"").is_err());
    }
}
