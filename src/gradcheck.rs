//! Finite-difference gradient checking, used by the test suite for every op and every
//! model, and available to anyone adding a model.
//!
//! The numeric derivative is the central difference `(f(x+h) − f(x−h)) / 2h` of an
//! objective evaluated in f32 and summed in f64. A component passes when
//! `|analytic − numeric| ≤ absolute + relative · max(|analytic|, |numeric|)`.

/// Step and tolerances of a check.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub step: f32,
    pub absolute: f64,
    pub relative: f64,
}

impl Default for Tolerance {
    /// Suitable for f32 models of a few hundred parameters with smooth objectives.
    fn default() -> Self {
        Tolerance {
            step: 1e-2,
            absolute: 2e-3,
            relative: 3e-2,
        }
    }
}

/// A component whose analytic gradient disagrees with the finite difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub index: usize,
    pub analytic: f64,
    pub numeric: f64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "gradient mismatch at component {}: analytic {:.6e}, finite difference {:.6e}",
            self.index, self.analytic, self.numeric
        )
    }
}

/// Summary of a passed check.
#[derive(Clone, Copy, Debug, Default)]
pub struct Report {
    pub checked: usize,
    pub max_absolute_error: f64,
}

/// Checks `analytic` (the gradient of `objective` at `point`) on the given components.
pub fn check(
    mut objective: impl FnMut(&[f32]) -> f64,
    point: &[f32],
    analytic: &[f32],
    components: impl IntoIterator<Item = usize>,
    tolerance: Tolerance,
) -> Result<Report, Mismatch> {
    let mut x = point.to_vec();
    let mut report = Report::default();
    for index in components {
        let original = x[index];
        x[index] = original + tolerance.step;
        let up = objective(&x);
        x[index] = original - tolerance.step;
        let down = objective(&x);
        x[index] = original;
        // The actual perturbation after f32 rounding, not the nominal one.
        let width = ((original + tolerance.step) as f64) - ((original - tolerance.step) as f64);
        let numeric = (up - down) / width;
        let analytic_value = analytic[index] as f64;
        let error = (analytic_value - numeric).abs();
        if error > tolerance.absolute + tolerance.relative * analytic_value.abs().max(numeric.abs())
        {
            return Err(Mismatch {
                index,
                analytic: analytic_value,
                numeric,
            });
        }
        report.checked += 1;
        report.max_absolute_error = report.max_absolute_error.max(error);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cubic(x: &[f32]) -> f64 {
        x.iter().map(|&v| (v as f64).powi(3) + 2.0 * v as f64).sum()
    }

    #[test]
    fn accepts_a_correct_gradient() {
        let x = [0.5f32, -1.0, 2.0];
        let gradient: Vec<f32> = x.iter().map(|v| 3.0 * v * v + 2.0).collect();
        let report = check(cubic, &x, &gradient, 0..3, Tolerance::default()).unwrap();
        assert_eq!(report.checked, 3);
    }

    #[test]
    fn rejects_a_deliberately_broken_gradient() {
        let x = [0.5f32, -1.0, 2.0];
        let mut gradient: Vec<f32> = x.iter().map(|v| 3.0 * v * v + 2.0).collect();
        gradient[1] *= 1.1; // a 10% error in one component
        let mismatch = check(cubic, &x, &gradient, 0..3, Tolerance::default()).unwrap_err();
        assert_eq!(mismatch.index, 1);
        // A sign error is caught too.
        let flipped: Vec<f32> = x.iter().map(|v| -(3.0 * v * v + 2.0)).collect();
        assert!(check(cubic, &x, &flipped, 0..3, Tolerance::default()).is_err());
    }
}
