//! Every fixed-point op against an independent i128 reference, over wide
//! random inputs that include the edges of each width.

use neurochip_firmware::fixed::*;
use proptest::prelude::*;

fn rmin(b: u32) -> i128 {
    -(1i128 << (b - 1))
}
fn rmax(b: u32) -> i128 {
    (1i128 << (b - 1)) - 1
}

/// i64 values biased toward the interesting edges of a width.
fn edgy() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -70_000i64..70_000,
        (1u32..=63).prop_map(max_of),
        (1u32..=63).prop_map(min_of),
        (1u32..=63).prop_map(|b| max_of(b) + 1),
        (1u32..=63).prop_map(|b| min_of(b) - 1),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0i64),
    ]
}

proptest! {
    #[test]
    fn ranges(b in 1u32..=63) {
        prop_assert_eq!(i128::from(min_of(b)), rmin(b));
        prop_assert_eq!(i128::from(max_of(b)), rmax(b));
    }

    #[test]
    fn sat_matches_reference(x in edgy(), b in 1u32..=63) {
        let r = i128::from(x).clamp(rmin(b), rmax(b));
        prop_assert_eq!(i128::from(sat(x, b)), r);
    }

    #[test]
    fn sat_add_sub_match_reference(x in edgy(), y in edgy(), b in 1u32..=63) {
        let (xi, yi) = (i128::from(x), i128::from(y));
        prop_assert_eq!(i128::from(sat_add(x, y, b)), (xi + yi).clamp(rmin(b), rmax(b)));
        prop_assert_eq!(i128::from(sat_sub(x, y, b)), (xi - yi).clamp(rmin(b), rmax(b)));
    }

    #[test]
    fn sat_u_matches_reference(x in edgy(), b in 0u32..=62) {
        let r = i128::from(x).clamp(0, (1i128 << b) - 1);
        prop_assert_eq!(i128::from(sat_u(x, b)), r);
    }

    #[test]
    fn wrap_matches_reference(x in edgy(), b in 1u32..=63) {
        let m = 1i128 << b;
        let mut r = i128::from(x).rem_euclid(m);
        if r > rmax(b) { r -= m; }
        prop_assert_eq!(i128::from(wrap(x, b)), r);
    }

    #[test]
    fn decay12_matches_lava_formula(x in edgy(), d in 0u32..=4096) {
        // Lava: sign(p) * (|p| >> 12)
        let p = i128::from(x) * i128::from(4096 - d);
        let r = p.signum() * (p.abs() >> 12);
        let got = decay12(x, d);
        prop_assert_eq!(i128::from(got), r);
        prop_assert!(i128::from(got).abs() <= i128::from(x).abs());
    }

    #[test]
    fn shift_decay_moves_toward_zero_without_overshoot(x in edgy(), s in 0u32..=70) {
        let dec = shift_decay(x, s);
        let floor = i128::from(x).div_euclid(1i128 << s.min(63));
        let r = if floor == 0 && x != 0 { i128::from(x.signum()) } else { floor };
        prop_assert_eq!(i128::from(dec), r);
        let after = i128::from(x) - i128::from(dec);
        prop_assert!(after.abs() <= i128::from(x).abs(), "grew: {x} -> {after}");
        prop_assert!(after == 0 || after.signum() == i128::from(x.signum()), "overshoot: {x} -> {after}");
        if x != 0 { prop_assert!(after.abs() < i128::from(x).abs(), "stuck at {x}"); }
    }

    #[test]
    fn scale_exp_matches_reference(m in edgy(), e in -80i32..=80) {
        let mi = i128::from(m);
        let r = if e >= 0 {
            if m == 0 { 0 } else if e >= 64 { if m > 0 { i128::from(i64::MAX) } else { i128::from(i64::MIN) } }
            else { (mi * (1i128 << e)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) }
        } else {
            mi.div_euclid(1i128 << (-e).min(63))
        };
        prop_assert_eq!(i128::from(scale_exp(m, e)), r);
    }

    #[test]
    fn xylo_sat_add16_is_clamp_for_in_range_x(x in -32768i32..=32767, y in -(1i32 << 30)+1..(1i32 << 30)) {
        let r = (i64::from(x) + i64::from(y)).clamp(-32768, 32767);
        prop_assert_eq!(i64::from(xylo_sat_add16(x, y)), r);
    }

    #[test]
    fn xylo_sat_add16_follows_formula_out_of_range(x in -70_000i32..70_000, y in -70_000i32..70_000) {
        let m: i64 = if y >= 0 { 32767 } else { -32768 };
        let (xi, yi) = (i64::from(x), i64::from(y));
        let r = if (m - xi).abs() > yi.abs() { xi + yi } else { m };
        prop_assert_eq!(i64::from(xylo_sat_add16(x, y)), r);
    }

    #[test]
    fn clamp_add_composes_exactly(
        lo in -(1i64 << 40)..(1i64 << 40),
        width in 0i64..(1i64 << 20),
        ys in proptest::collection::vec(-(1i64 << 21)..(1i64 << 21), 0..40),
        xf in 0.0f64..=1.0,
    ) {
        let hi = lo + width;
        let x = lo + (width as f64 * xf) as i64;
        let mut f = ClampAdd::identity(lo, hi);
        let mut seq = i128::from(x);
        for &y in &ys {
            f.then_add(y);
            seq = (seq + i128::from(y)).clamp(i128::from(lo), i128::from(hi));
            prop_assert!(f.lo >= lo && f.hi <= hi && f.lo <= f.hi);
        }
        prop_assert_eq!(i128::from(f.apply(x)), seq);
    }

    #[test]
    fn clamp_add_equals_xylo_sat_adds(x in -32768i64..=32767, ys in proptest::collection::vec(-32768i32..=32767, 0..60)) {
        let mut f = ClampAdd::identity(-32768, 32767);
        let mut seq = x as i32;
        for &y in &ys {
            f.then_add(i64::from(y));
            seq = xylo_sat_add16(seq, y);
        }
        prop_assert_eq!(f.apply(x), i64::from(seq));
    }

    #[test]
    fn clamp_add_extreme_rails_do_not_overflow(ys in proptest::collection::vec(edgy(), 0..20), x in edgy()) {
        let (lo, hi) = (i64::MIN / 2, i64::MAX / 2);
        let x = x.clamp(lo, hi);
        let mut f = ClampAdd::identity(lo, hi);
        let mut seq = i128::from(x);
        for &y in &ys {
            f.then_add(y);
            seq = (seq + i128::from(y)).clamp(i128::from(lo), i128::from(hi));
        }
        prop_assert_eq!(i128::from(f.apply(x)), seq);
    }

    #[test]
    fn mul_s1615_u032_matches_reference(x in any::<i32>(), d in any::<u32>()) {
        let r = (i128::from(x) * i128::from(d)).div_euclid(1i128 << 32);
        let got = mul_s1615_u032(S1615::from_bits(x), d).to_bits();
        prop_assert_eq!(i128::from(got), r);
        prop_assert!(i128::from(got).abs() <= i128::from(x).abs());
    }

    #[test]
    fn mul_s1615_matches_reference(a in any::<i32>(), b in any::<i32>()) {
        let p = (i128::from(a) * i128::from(b)).div_euclid(1i128 << 15);
        let mut r = p.rem_euclid(1i128 << 32);
        if r > i128::from(i32::MAX) { r -= 1i128 << 32; }
        prop_assert_eq!(i128::from(mul_s1615(S1615::from_bits(a), S1615::from_bits(b)).to_bits()), r);
    }

    #[test]
    fn to_q_rounds_ties_away_from_zero(m in -(1i64 << 40)..(1i64 << 40), f in 0u32..20, b in 2u32..=63) {
        // x * 2^f = m / 2 exactly, so odd m is a tie.
        let x = m as f64 / (1u64 << (f + 1)) as f64;
        let half = i128::from(m) / 2; // toward zero
        let r = if m % 2 == 0 { half } else { half + i128::from(m.signum()) };
        prop_assert_eq!(i128::from(to_q(x, f, b)), r.clamp(rmin(b), rmax(b)));
    }

    #[test]
    fn to_q_is_nearest(x in -1.0e6f64..1.0e6, f in 0u32..30) {
        let q = to_q(x, f, 63);
        let exact = x * (1u64 << f) as f64;
        prop_assert!((q as f64 - exact).abs() <= 0.5, "{x} f={f} -> {q}");
    }

    #[test]
    fn s1615_and_u032_conversions(x in -1.0e6f64..1.0e6, d in -0.5f64..1.5) {
        prop_assert_eq!(i64::from(s1615_from_f64(x).to_bits()), to_q(x, 15, 32));
        let u = u032_from_f64(d);
        let exact = d * 4_294_967_296.0;
        if (0.0..4_294_967_295.0).contains(&exact) {
            prop_assert!((u as f64 - exact).abs() <= 0.5);
        } else if exact < 0.0 {
            prop_assert_eq!(u, 0);
        } else {
            prop_assert_eq!(u, u32::MAX);
        }
    }
}
