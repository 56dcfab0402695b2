//! `scipy.special.binom` for the arguments the exact KS path uses (non-negative integers given
//! as doubles), following xsf's algorithm: the multiplication formula for `k < 20` (after the
//! symmetry reduction), else `1 / (n + 1) / beta(1 + n - k, 1 + k)` with cephes' `beta`.

use statrs::function::gamma::{gamma, ln_gamma};

const MAXGAM: f64 = 171.624_376_956_302_7;
const ASYMP_FACTOR: f64 = 1e6;

/// Binomial coefficient C(n, k) for `n >= 0`, `k` real, as `scipy.special.binom` computes it.
pub(crate) fn binom(n: f64, k: f64) -> f64 {
    let mut kx = k.floor();
    if k == kx && (n.abs() > 1e-8 || n == 0.0) {
        let nx = n.floor();
        if nx == n && kx > nx / 2.0 && nx > 0.0 {
            kx = nx - kx;
        }
        if (0.0..20.0).contains(&kx) {
            let mut num = 1.0;
            let mut den = 1.0;
            let mut i = 1.0;
            while i < 1.0 + kx {
                num *= i + n - kx;
                den *= i;
                if num.abs() > 1e50 {
                    num /= den;
                    den = 1.0;
                }
                i += 1.0;
            }
            return num / den;
        }
    }
    if n >= 1e10 * k && k > 0.0 {
        return (-lbeta(1.0 + n - k, 1.0 + k) - (n + 1.0).ln()).exp();
    }
    1.0 / (n + 1.0) / beta(1.0 + n - k, 1.0 + k)
}

/// cephes `beta(a, b)` (non-positive integer `a` handled as cephes' `beta_negint`; the
/// binomial path never passes a non-positive `b`).
fn beta(a: f64, b: f64) -> f64 {
    if a <= 0.0 && a == a.floor() {
        // beta_negint: finite only when b is an integer with 1 - a - b > 0
        if b == b.floor() && 1.0 - a - b > 0.0 {
            let sgn = if (b as i64) % 2 == 0 { 1.0 } else { -1.0 };
            return sgn * beta(1.0 - a - b, b);
        }
        return f64::INFINITY;
    }
    if a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    let (a, b) = if a.abs() < b.abs() { (b, a) } else { (a, b) };
    if a.abs() > ASYMP_FACTOR * b.abs() && a > ASYMP_FACTOR {
        return lbeta(a, b).exp();
    }
    let y = a + b;
    if y.abs() > MAXGAM || a.abs() > MAXGAM || b.abs() > MAXGAM {
        let v = ln_gamma(a) + (ln_gamma(b) - ln_gamma(y));
        return v.exp();
    }
    let gy = gamma(y);
    let ga = gamma(a);
    let gb = gamma(b);
    if !(gy.is_finite() && ga.is_finite() && gb.is_finite()) {
        // statrs' Lanczos gamma overflows a little below cephes' MAXGAM
        return (ln_gamma(a) + (ln_gamma(b) - ln_gamma(y))).exp();
    }
    if gy == 0.0 {
        return f64::INFINITY;
    }
    if (ga.abs() - gy.abs()).abs() > (gb.abs() - gy.abs()).abs() {
        (gb / gy) * ga
    } else {
        (ga / gy) * gb
    }
}

fn lbeta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_binomials_are_exact() {
        assert_eq!(binom(10.0, 3.0), 120.0);
        assert_eq!(binom(10.0, 7.0), 120.0);
        assert_eq!(binom(5.0, 0.0), 1.0);
        // k > n: zero, as scipy.special.binom(5, 27) == 0.0
        assert_eq!(binom(5.0, 27.0), 0.0);
        // C(60, 30) = 118264581564861424
        let c = binom(60.0, 30.0);
        assert!((c / 118_264_581_564_861_424.0 - 1.0).abs() < 1e-12, "{c}");
    }
}
