//! Compare `java_double_legacy` with a table `hex<TAB>Double.toString` from a JDK <= 18.
//! `cargo run -p driftline-stats --example legacy_check -- FILE`
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: legacy_check FILE");
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return;
        }
    };
    let (mut n, mut bad) = (0, 0);
    for line in text.lines() {
        let Some((hex, want)) = line.split_once('\t') else {
            continue;
        };
        let Ok(bits) = u64::from_str_radix(hex, 16) else {
            continue;
        };
        let got = driftline_stats::javafmt_legacy::java_double_legacy(f64::from_bits(bits));
        n += 1;
        if got != want {
            bad += 1;
            if bad <= 10 {
                println!("{hex}: got {got} want {want}");
            }
        }
    }
    println!("{n} values, {bad} mismatches");
}
