//! The Jackson-style writer produces valid JSON that reads back to the same value, for any
//! JSON value (nested arrays/objects, empty containers, doubles, integers, escaped strings),
//! and statistics re-serialise to the same text.

use driftline_stats::jackson::to_string_pretty;
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,8}|[\\x00-\\x1f\"\\\\]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{0,6}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn reads_back_identically(v in json_value()) {
        let text = to_string_pretty(&v);
        let back: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &v, "{}", text);
        prop_assert!(!text.ends_with('\n'));
        // Object entries are `"key" : value` on their own lines; no tab or CR ever.
        prop_assert!(!text.contains('\t') && !text.contains('\r'));
    }
}
