//! Java's `Double.toString` as JDK 8 to 18 print it (`sun.misc.FloatingDecimal` /
//! `jdk.internal.math.FloatingDecimal.BinaryToASCIIBuffer.dtoa`), ported step by step.
//!
//! Spark 3 (and so the Model Monitor analysis container, which runs Deequ on Spark) runs on
//! Java 8, 11 or 17, whose `Double.toString` is this algorithm, not the shortest-decimal one of
//! JDK 19+ ([`crate::javafmt::java_double`]). The two differ for about 1.5 % of doubles with
//! 16–17 significant digits (e.g. `1.0E23` prints as `9.999999999999999E22`, and some values
//! get an 18th digit). Checked against 3,030 values printed by OpenJDK 17
//! (`tests/compat_javafmt.rs`).
//!
//! The port keeps Java's integer widths and wrap-around (the `int` and `long` fast paths use
//! wrapping arithmetic exactly like Java) and uses a small big-integer for the general case.

/// 5^0 ..= 5^26 (`FDBigInteger.LONG_5_POW`).
const LONG_5_POW: [i64; 27] = {
    let mut t = [1i64; 27];
    let mut i = 1;
    while i < 27 {
        t[i] = t[i - 1] * 5;
        i += 1;
    }
    t
};

/// 5^0 ..= 5^13 (`FDBigInteger.SMALL_5_POW`).
const SMALL_5_POW: [i32; 14] = {
    let mut t = [1i32; 14];
    let mut i = 1;
    while i < 14 {
        t[i] = t[i - 1] * 5;
        i += 1;
    }
    t
};

/// Approximately `ceil(log2(5^i))` (`N_5_BITS`).
const N_5_BITS: [i32; 27] = [
    0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56,
    59, 61,
];

const INSIGNIFICANT_DIGITS_NUMBER: [i32; 64] = [
    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9,
    9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16,
    16, 17, 17, 17, 18, 18, 18, 19,
];

const EXP_SHIFT: i32 = 52;
const FRACT_HOB: u64 = 1 << 52;
const SIGNIF_MASK: u64 = FRACT_HOB - 1;
const EXP_MASK: u64 = 0x7ff0_0000_0000_0000;
const SIGN_MASK: u64 = 0x8000_0000_0000_0000;

/// Minimal unsigned big integer (little-endian `u32` limbs) for the general case.
#[derive(Clone, Debug)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }
    fn trim(&mut self) {
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for l in self.0.iter_mut() {
            let p = *l as u64 * m as u64 + carry;
            *l = p as u32;
            carry = p >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }
    fn mul_pow5(&mut self, mut e: i32) {
        while e >= 13 {
            self.mul_small(1_220_703_125); // 5^13
            e -= 13;
        }
        if e > 0 {
            self.mul_small(SMALL_5_POW[e as usize] as u32);
        }
    }
    fn shl(&mut self, bits: i32) {
        if bits <= 0 {
            return;
        }
        let words = (bits / 32) as usize;
        let b = bits % 32;
        let mut out = vec![0u32; words];
        if b == 0 {
            out.extend_from_slice(&self.0);
        } else {
            let mut carry = 0u32;
            for &l in &self.0 {
                out.push((l << b) | carry);
                carry = l >> (32 - b);
            }
            if carry > 0 {
                out.push(carry);
            }
        }
        self.0 = out;
        self.trim();
    }
    fn pow52(p5: i32, p2: i32) -> Big {
        let mut b = Big::from_u64(1);
        b.mul_pow5(p5);
        b.shl(p2);
        b
    }
    fn cmp(&self, o: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&o.0.len())
            .then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }
    fn add(&self, o: &Big) -> Big {
        let n = self.0.len().max(o.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let s = *self.0.get(i).unwrap_or(&0) as u64 + *o.0.get(i).unwrap_or(&0) as u64 + carry;
            out.push(s as u32);
            carry = s >> 32;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        let mut b = Big(out);
        b.trim();
        b
    }
    fn sub_assign(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let d = self.0[i] as i64 - *o.0.get(i).unwrap_or(&0) as i64 - borrow;
            if d < 0 {
                self.0[i] = (d + (1i64 << 32)) as u32;
                borrow = 1;
            } else {
                self.0[i] = d as u32;
                borrow = 0;
            }
        }
        self.trim();
    }
    /// `q = self / s; self = 10 * (self % s)` (FDBigInteger.quoRemIteration).
    fn quo_rem_iteration(&mut self, s: &Big) -> i32 {
        let mut q = 0;
        while self.cmp(s) != std::cmp::Ordering::Less {
            self.sub_assign(s);
            q += 1;
        }
        self.mul_small(10);
        q
    }
}

// Java's literal 0.301029995663981 (not `LOG10_2`, which has more digits): keep it as is.
#[allow(clippy::approx_constant)]
fn estimate_dec_exp(fract_bits: u64, bin_exp: i32) -> i32 {
    let d2 = f64::from_bits((1023u64 << EXP_SHIFT) | (fract_bits & SIGNIF_MASK));
    let d = (d2 - 1.5) * 0.289529654 + 0.176091259 + (bin_exp as f64) * 0.301029995663981;
    let d_bits = d.to_bits();
    let exponent = ((d_bits & EXP_MASK) >> EXP_SHIFT) as i32 - 1023;
    let is_negative = (d_bits & SIGN_MASK) != 0;
    if (0..52).contains(&exponent) {
        let mask = SIGNIF_MASK >> exponent;
        let r = (((d_bits & SIGNIF_MASK) | FRACT_HOB) >> (EXP_SHIFT - exponent)) as i32;
        if is_negative {
            if (mask & d_bits) == 0 {
                -r
            } else {
                -r - 1
            }
        } else {
            r
        }
    } else if exponent < 0 {
        if (d_bits & !SIGN_MASK) == 0 {
            0
        } else if is_negative {
            -1
        } else {
            0
        }
    } else {
        d as i32
    }
}

fn insignificant_digits_for_pow2(p2: i32) -> i32 {
    if p2 > 1 && (p2 as usize) < INSIGNIFICANT_DIGITS_NUMBER.len() {
        INSIGNIFICANT_DIGITS_NUMBER[p2 as usize]
    } else {
        0
    }
}

/// Digits and decimal exponent (value = 0.d1d2… × 10^dec_exponent).
struct Digits {
    digits: Vec<u8>,
    dec_exponent: i32,
}

fn develop_long_digits(mut dec_exponent: i32, mut lvalue: i64, insignificant: i32) -> Digits {
    if insignificant != 0 {
        let pow10 = LONG_5_POW[insignificant as usize] << insignificant;
        let residue = lvalue % pow10;
        lvalue /= pow10;
        dec_exponent += insignificant;
        if residue >= (pow10 >> 1) {
            lvalue += 1;
        }
    }
    let mut rev = Vec::with_capacity(20);
    let mut c = lvalue % 10;
    lvalue /= 10;
    while c == 0 {
        dec_exponent += 1;
        c = lvalue % 10;
        lvalue /= 10;
    }
    while lvalue != 0 {
        rev.push(b'0' + c as u8);
        dec_exponent += 1;
        c = lvalue % 10;
        lvalue /= 10;
    }
    rev.push(b'0' + c as u8);
    rev.reverse();
    Digits {
        digits: rev,
        dec_exponent: dec_exponent + 1,
    }
}

fn dtoa(bin_exp: i32, mut fract_bits: u64, n_significant_bits: i32) -> Digits {
    let tail_zeros = fract_bits.trailing_zeros() as i32;
    let n_fract_bits = EXP_SHIFT + 1 - tail_zeros;
    let n_tiny_bits = (n_fract_bits - bin_exp - 1).max(0);
    if (-21..=62).contains(&bin_exp)
        && n_tiny_bits < LONG_5_POW.len() as i32
        && n_fract_bits + N_5_BITS[n_tiny_bits as usize] < 64
        && n_tiny_bits == 0
    {
        let insignificant = if bin_exp > n_significant_bits {
            insignificant_digits_for_pow2(bin_exp - n_significant_bits - 1)
        } else {
            0
        };
        if bin_exp >= EXP_SHIFT {
            fract_bits <<= bin_exp - EXP_SHIFT;
        } else {
            fract_bits >>= EXP_SHIFT - bin_exp;
        }
        return develop_long_digits(0, fract_bits as i64, insignificant);
    }
    let mut dec_exp = estimate_dec_exp(fract_bits, bin_exp);
    let b5 = (-dec_exp).max(0);
    let mut b2 = b5 + n_tiny_bits + bin_exp;
    let s5 = dec_exp.max(0);
    let mut s2 = s5 + n_tiny_bits;
    let m5 = b5;
    let mut m2 = b2 - n_significant_bits;
    fract_bits >>= tail_zeros;
    b2 -= n_fract_bits - 1;
    let common2 = b2.min(s2);
    b2 -= common2;
    s2 -= common2;
    m2 -= common2;
    if n_fract_bits == 1 {
        m2 -= 1;
    }
    if m2 < 0 {
        b2 -= m2;
        s2 -= m2;
        m2 = 0;
    }
    let n5 = |i: i32| {
        if (i as usize) < N_5_BITS.len() {
            N_5_BITS[i as usize]
        } else {
            i * 3
        }
    };
    let b_bits = n_fract_bits + b2 + n5(b5);
    let ten_s_bits = s2 + 1 + n5(s5 + 1);
    let mut digits: Vec<u8> = Vec::with_capacity(20);
    let (low, high, low_digit_difference);
    if b_bits < 64 && ten_s_bits < 64 {
        if b_bits < 32 && ten_s_bits < 32 {
            // Java `int` arithmetic, wrapping.
            let mut b = (fract_bits as i32)
                .wrapping_mul(SMALL_5_POW[b5 as usize])
                .wrapping_shl(b2 as u32);
            let s = SMALL_5_POW[s5 as usize].wrapping_shl(s2 as u32);
            let mut m = SMALL_5_POW[m5 as usize].wrapping_shl(m2 as u32);
            let tens = s.wrapping_mul(10);
            let mut q = b.wrapping_div(s);
            b = 10i32.wrapping_mul(b.wrapping_rem(s));
            m = m.wrapping_mul(10);
            let mut lo = b < m;
            let mut hi = b.wrapping_add(m) > tens;
            if q == 0 && !hi {
                dec_exp -= 1;
            } else {
                digits.push((b'0' as i32 + q) as u8);
            }
            if !(-3..8).contains(&dec_exp) {
                hi = false;
                lo = false;
            }
            while !lo && !hi {
                q = b.wrapping_div(s);
                b = 10i32.wrapping_mul(b.wrapping_rem(s));
                m = m.wrapping_mul(10);
                if m > 0 {
                    lo = b < m;
                    hi = b.wrapping_add(m) > tens;
                } else {
                    lo = true;
                    hi = true;
                }
                digits.push((b'0' as i32 + q) as u8);
            }
            low = lo;
            high = hi;
            low_digit_difference = b.wrapping_shl(1).wrapping_sub(tens) as i64;
        } else {
            // Java `long` arithmetic, wrapping.
            let mut b = (fract_bits as i64)
                .wrapping_mul(LONG_5_POW[b5 as usize])
                .wrapping_shl(b2 as u32);
            let s = LONG_5_POW[s5 as usize].wrapping_shl(s2 as u32);
            let mut m = LONG_5_POW[m5 as usize].wrapping_shl(m2 as u32);
            let tens = s.wrapping_mul(10);
            let mut q = b.wrapping_div(s) as i32;
            b = 10i64.wrapping_mul(b.wrapping_rem(s));
            m = m.wrapping_mul(10);
            let mut lo = b < m;
            let mut hi = b.wrapping_add(m) > tens;
            if q == 0 && !hi {
                dec_exp -= 1;
            } else {
                digits.push((b'0' as i32 + q) as u8);
            }
            if !(-3..8).contains(&dec_exp) {
                hi = false;
                lo = false;
            }
            while !lo && !hi {
                q = b.wrapping_div(s) as i32;
                b = 10i64.wrapping_mul(b.wrapping_rem(s));
                m = m.wrapping_mul(10);
                if m > 0 {
                    lo = b < m;
                    hi = b.wrapping_add(m) > tens;
                } else {
                    lo = true;
                    hi = true;
                }
                digits.push((b'0' as i32 + q) as u8);
            }
            low = lo;
            high = hi;
            low_digit_difference = b.wrapping_shl(1).wrapping_sub(tens);
        }
    } else {
        use std::cmp::Ordering;
        let s_val = Big::pow52(s5, s2);
        let mut b_val = Big::from_u64(fract_bits);
        b_val.mul_pow5(b5);
        b_val.shl(b2);
        let mut m_val = Big::pow52(m5 + 1, m2 + 1);
        let ten_s_val = Big::pow52(s5 + 1, s2 + 1);
        let mut q = b_val.quo_rem_iteration(&s_val);
        let mut lo = b_val.cmp(&m_val) == Ordering::Less;
        let mut hi = ten_s_val.cmp(&b_val.add(&m_val)) != Ordering::Greater;
        if q == 0 && !hi {
            dec_exp -= 1;
        } else {
            digits.push((b'0' as i32 + q) as u8);
        }
        if !(-3..8).contains(&dec_exp) {
            hi = false;
            lo = false;
        }
        while !lo && !hi {
            q = b_val.quo_rem_iteration(&s_val);
            m_val.mul_small(10);
            lo = b_val.cmp(&m_val) == Ordering::Less;
            hi = ten_s_val.cmp(&b_val.add(&m_val)) != Ordering::Greater;
            digits.push((b'0' as i32 + q) as u8);
        }
        low = lo;
        high = hi;
        low_digit_difference = if hi && lo {
            let mut b2x = b_val.clone();
            b2x.shl(1);
            match b2x.cmp(&ten_s_val) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }
        } else {
            0
        };
    }
    let mut out = Digits {
        digits,
        dec_exponent: dec_exp + 1,
    };
    if high {
        if low {
            if low_digit_difference == 0 {
                if out.digits.last().is_some_and(|d| d & 1 != 0) {
                    roundup(&mut out);
                }
            } else if low_digit_difference > 0 {
                roundup(&mut out);
            }
        } else {
            roundup(&mut out);
        }
    }
    out
}

fn roundup(d: &mut Digits) {
    if d.digits.is_empty() {
        return;
    }
    let mut i = d.digits.len() - 1;
    let mut q = d.digits[i];
    if q == b'9' {
        while q == b'9' && i > 0 {
            d.digits[i] = b'0';
            i -= 1;
            q = d.digits[i];
        }
        if q == b'9' {
            d.dec_exponent += 1;
            d.digits[0] = b'1';
            return;
        }
    }
    d.digits[i] = q + 1;
}

/// `Double.toString(x)` as JDK 8–18 print it.
pub fn java_double_legacy(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let bits = x.to_bits();
    let mut fract_bits = bits & SIGNIF_MASK;
    let mut bin_exp = ((bits & EXP_MASK) >> EXP_SHIFT) as i32;
    let n_significant_bits;
    if bin_exp == 0 {
        let leading_zeros = fract_bits.leading_zeros() as i32;
        let shift = leading_zeros - (63 - EXP_SHIFT);
        fract_bits <<= shift;
        bin_exp = 1 - shift;
        n_significant_bits = 64 - leading_zeros;
    } else {
        fract_bits |= FRACT_HOB;
        n_significant_bits = EXP_SHIFT + 1;
    }
    bin_exp -= 1023;
    let d = dtoa(bin_exp, fract_bits, n_significant_bits);
    let mut out = String::with_capacity(26);
    if x < 0.0 {
        out.push('-');
    }
    let digits = &d.digits;
    let nd = digits.len();
    let e = d.dec_exponent;
    let push = |out: &mut String, s: &[u8]| out.extend(s.iter().map(|&b| b as char));
    if e > 0 && e < 8 {
        let char_len = nd.min(e as usize);
        push(&mut out, &digits[..char_len]);
        if char_len < e as usize {
            for _ in char_len..e as usize {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push('.');
            if char_len < nd {
                push(&mut out, &digits[char_len..]);
            } else {
                out.push('0');
            }
        }
    } else if e <= 0 && e > -3 {
        out.push_str("0.");
        for _ in 0..(-e) {
            out.push('0');
        }
        push(&mut out, digits);
    } else {
        push(&mut out, &digits[..1]);
        out.push('.');
        if nd > 1 {
            push(&mut out, &digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&(e - 1).to_string());
    }
    out
}
