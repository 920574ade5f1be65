//! The weight-gradient kernel's jobs, one per linear layer, and the lookup of where each
//! layer's tensors are in the parameter buffer.

use crate::error::{config_error, Result};
use crate::nn::ParamStore;

/// One weight gradient `dW = Σ_{b,t} dy xᵀ`, `db = Σ dy` over every step of every
/// sequence: what the weight-gradient kernel computes for one linear layer.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct WeightGradientJob {
    /// Offset of dy in a gradient record.
    pub dy: u32,
    /// Offset of x in a forward record.
    pub x: u32,
    /// 1: x is in the record of step t itself; 0: in the record before (h_{t−1}).
    pub x_record: u32,
    pub rows: u32,
    pub cols: u32,
    /// Offsets of the weight (`rows × cols`) and bias in the parameter buffer.
    pub weight: u32,
    pub bias: u32,
    pub padding: u32,
}

/// Looks up parameter offsets by name, and turns layers into weight-gradient jobs.
pub struct Parameters<'a>(pub &'a ParamStore);

impl Parameters<'_> {
    pub fn offset(&self, name: &str) -> Result<usize> {
        self.0
            .entry(name)
            .map(|e| e.offset)
            .ok_or_else(|| config_error(format!("the model has no parameter {name}")))
    }

    /// `{constant}_WEIGHT` and `{constant}_BIAS`: where Linear `name`'s tensors are.
    pub fn weight_and_bias(&self, constant: &str, name: &str) -> Result<[(String, usize); 2]> {
        Ok([
            (
                format!("{constant}_WEIGHT"),
                self.offset(&format!("{name}.weight"))?,
            ),
            (
                format!("{constant}_BIAS"),
                self.offset(&format!("{name}.bias"))?,
            ),
        ])
    }

    /// The job of Linear `name` (`rows × cols`): dy at `dy` in a gradient record, x at
    /// `x` in step t's own record.
    pub fn job(
        &self,
        name: &str,
        dy: usize,
        x: usize,
        rows: usize,
        cols: usize,
    ) -> Result<WeightGradientJob> {
        Ok(WeightGradientJob {
            dy: dy as u32,
            x: x as u32,
            x_record: 1,
            rows: rows as u32,
            cols: cols as u32,
            weight: self.offset(&format!("{name}.weight"))? as u32,
            bias: self.offset(&format!("{name}.bias"))? as u32,
            padding: 0,
        })
    }

    /// Where LSTM layer `l`'s tensors are: `weight_ih`, `weight_hh`, `bias_ih`,
    /// `bias_hh`.
    pub fn lstm_layer(&self, l: usize) -> Result<[usize; 4]> {
        Ok([
            self.offset(&format!("controller.{l}.weight_ih"))?,
            self.offset(&format!("controller.{l}.weight_hh"))?,
            self.offset(&format!("controller.{l}.bias_ih"))?,
            self.offset(&format!("controller.{l}.bias_hh"))?,
        ])
    }
}

/// The two jobs of an LSTM layer whose tensors are at `layer` ([`Parameters::lstm_layer`]):
/// the gates' gradient `dz` (`4h`) against the layer's input `x` (`cols`, in step t's
/// record) and against its own previous output `hidden` (`h`, in the record before).
pub fn lstm_layer_jobs(
    layer: [usize; 4],
    dz: usize,
    x: usize,
    cols: usize,
    hidden: usize,
    h: usize,
) -> [WeightGradientJob; 2] {
    [
        (x, 1, cols, layer[0], layer[2]),
        (hidden, 0, h, layer[1], layer[3]),
    ]
    .map(|(x, x_record, cols, weight, bias)| WeightGradientJob {
        dy: dz as u32,
        x: x as u32,
        x_record,
        rows: 4 * h as u32,
        cols: cols as u32,
        weight: weight as u32,
        bias: bias as u32,
        padding: 0,
    })
}
