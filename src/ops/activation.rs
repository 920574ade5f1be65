//! Elementwise activations and softmax with their derivatives (models.md §0, §6).

/// Logistic sigmoid without overflow for either sign (models.md §6).
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `softplus(x) = max(x, 0) + ln(1 + e^{−|x|})` (models.md §6). Its derivative is σ(x).
pub fn softplus(x: f32) -> f32 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `oneplus(x) = 1 + softplus(x)` (models.md §0). Its derivative is σ(x).
pub fn oneplus(x: f32) -> f32 {
    1.0 + softplus(x)
}

/// In-place softmax over a slice, stable against overflow.
pub fn softmax_in_place(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inverse = 1.0 / sum;
    for v in values.iter_mut() {
        *v *= inverse;
    }
}

/// Softmax backward: given `p = softmax(z)` and `dp`, writes `dz[i] = p[i] (dp[i] − Σ p·dp)`.
pub fn softmax_backward(p: &[f32], dp: &[f32], dz: &mut [f32]) {
    let weighted: f32 = p.iter().zip(dp).map(|(a, b)| a * b).sum();
    for ((dz, &p), &dp) in dz.iter_mut().zip(p).zip(dp) {
        *dz = p * (dp - weighted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_and_softplus_survive_extremes() {
        for x in [-1e4f32, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4] {
            assert!(sigmoid(x).is_finite() && (0.0..=1.0).contains(&sigmoid(x)));
            assert!(softplus(x).is_finite() && softplus(x) >= 0.0);
        }
        assert_eq!(softplus(1e4), 1e4);
        assert!((softplus(0.0) - 2f32.ln()).abs() < 1e-7);
        assert!((oneplus(0.0) - 1.0 - 2f32.ln()).abs() < 1e-7);
    }

    #[test]
    fn softmax_sums_to_one_and_backward_matches_differences() {
        let z = [0.3f32, -1.2, 2.0, 0.1];
        let dp = [0.5f32, -0.25, 1.0, 0.75];
        let mut p = z;
        softmax_in_place(&mut p);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let mut dz = [0.0; 4];
        softmax_backward(&p, &dp, &mut dz);
        let h = 1e-3;
        for i in 0..4 {
            let objective = |shift: f32| {
                let mut q = z;
                q[i] += shift;
                softmax_in_place(&mut q);
                q.iter()
                    .zip(&dp)
                    .map(|(a, b)| (*a as f64) * (*b as f64))
                    .sum::<f64>()
            };
            let numeric = (objective(h) - objective(-h)) / (2.0 * h as f64);
            assert!(
                (numeric - dz[i] as f64).abs() < 1e-4,
                "{i}: {numeric} vs {}",
                dz[i]
            );
        }
    }
}
