//! A stack of LSTM cells in the PyTorch `nn.LSTMCell` convention (models.md §0):
//!
//! ```text
//! z  = W_ih x + b_ih + W_hh h + b_hh          # 4H, rows [i | f | g | o]
//! i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)
//! c' = f ⊙ c + i ⊙ g
//! h' = o ⊙ tanh(c')
//! ```
//! Layer l > 0 takes layer l−1's new `h` as input; the stack's output is the top `h`.

use super::params::ParamStore;
use crate::ops::activation::sigmoid;
use crate::ops::linalg;
use crate::rng::Pcg32;
use std::ops::Range;

#[derive(Clone, Debug)]
struct LstmLayer {
    weight_ih: usize,
    weight_hh: usize,
    bias_ih: usize,
    bias_hh: usize,
    inputs: usize,
    hidden: usize,
}

impl LstmLayer {
    fn weight_ih_range(&self) -> Range<usize> {
        self.weight_ih..self.weight_ih + 4 * self.hidden * self.inputs
    }
    fn weight_hh_range(&self) -> Range<usize> {
        self.weight_hh..self.weight_hh + 4 * self.hidden * self.hidden
    }
    fn bias_ih_range(&self) -> Range<usize> {
        self.bias_ih..self.bias_ih + 4 * self.hidden
    }
    fn bias_hh_range(&self) -> Range<usize> {
        self.bias_hh..self.bias_hh + 4 * self.hidden
    }
}

/// Offsets of every layer's parameters, registered as `{prefix}.{l}.weight_ih` etc.
#[derive(Clone, Debug)]
pub struct LstmStack {
    layers: Vec<LstmLayer>,
    hidden: usize,
}

/// Everything the backward pass needs from a forward pass over `steps` steps.
/// Per layer: `hidden` and `cell` hold `steps + 1` rows (row 0 is the initial zero
/// state, row t+1 the state after step t); `gates` holds the activated i, f, g, o.
#[derive(Clone, Debug)]
pub struct LstmTape {
    hidden: Vec<Vec<f32>>,
    cell: Vec<Vec<f32>>,
    gates: Vec<Vec<f32>>,
    tanh_cell: Vec<Vec<f32>>,
}

/// Gradients flowing backwards in time between steps, plus scratch space. Per layer,
/// `dz` keeps every step's gate gradient (`steps × 4H`): the weight gradients are formed
/// from them once the walk back through time is over (see
/// [`LstmStack::accumulate_weight_gradients`]).
#[derive(Clone, Debug)]
pub struct LstmCarry {
    dh: Vec<Vec<f32>>,
    dc: Vec<Vec<f32>>,
    dz: Vec<Vec<f32>>,
    dh_step: Vec<f32>,
    dh_below: Vec<f32>,
}

impl LstmStack {
    /// Registers `layers` cells, initialised uniformly in `±1/√H` as PyTorch does.
    pub fn register(
        store: &mut ParamStore,
        prefix: &str,
        inputs: usize,
        hidden: usize,
        layers: usize,
        rng: &mut Pcg32,
    ) -> Self {
        let bound = 1.0 / (hidden as f32).sqrt();
        let layers = (0..layers)
            .map(|l| {
                let layer_inputs = if l == 0 { inputs } else { hidden };
                LstmLayer {
                    weight_ih: store.add_uniform(
                        &format!("{prefix}.{l}.weight_ih"),
                        &[4 * hidden, layer_inputs],
                        bound,
                        rng,
                    ),
                    weight_hh: store.add_uniform(
                        &format!("{prefix}.{l}.weight_hh"),
                        &[4 * hidden, hidden],
                        bound,
                        rng,
                    ),
                    bias_ih: store.add_uniform(
                        &format!("{prefix}.{l}.bias_ih"),
                        &[4 * hidden],
                        bound,
                        rng,
                    ),
                    bias_hh: store.add_uniform(
                        &format!("{prefix}.{l}.bias_hh"),
                        &[4 * hidden],
                        bound,
                        rng,
                    ),
                    inputs: layer_inputs,
                    hidden,
                }
            })
            .collect();
        LstmStack { layers, hidden }
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    pub fn new_tape(&self, steps: usize) -> LstmTape {
        let h = self.hidden;
        let per_layer = |rows: usize| vec![vec![0.0; rows]; self.layers.len()];
        LstmTape {
            hidden: per_layer((steps + 1) * h),
            cell: per_layer((steps + 1) * h),
            gates: per_layer(steps * 4 * h),
            tanh_cell: per_layer(steps * h),
        }
    }

    pub fn new_carry(&self, steps: usize) -> LstmCarry {
        let h = self.hidden;
        LstmCarry {
            dh: vec![vec![0.0; h]; self.layers.len()],
            dc: vec![vec![0.0; h]; self.layers.len()],
            dz: vec![vec![0.0; steps * 4 * h]; self.layers.len()],
            dh_step: vec![0.0; h],
            dh_below: vec![0.0; h],
        }
    }

    /// The top layer's `h` after step `t`.
    pub fn output<'a>(&self, tape: &'a LstmTape, t: usize) -> &'a [f32] {
        let h = self.hidden;
        &tape.hidden[self.layers.len() - 1][(t + 1) * h..(t + 2) * h]
    }

    /// Runs step `t` of every layer on `input`, recording into `tape`.
    pub fn forward_step(&self, params: &[f32], tape: &mut LstmTape, t: usize, input: &[f32]) {
        let h = self.hidden;
        for (l, layer) in self.layers.iter().enumerate() {
            let (below, this) = tape.hidden.split_at_mut(l);
            let x = if l == 0 {
                input
            } else {
                &below[l - 1][(t + 1) * h..(t + 2) * h]
            };
            let (previous, next) = this[0].split_at_mut((t + 1) * h);
            let h_prev = &previous[t * h..];
            let h_next = &mut next[..h];
            let z = &mut tape.gates[l][t * 4 * h..(t + 1) * 4 * h];
            for ((z, &a), &b) in z
                .iter_mut()
                .zip(&params[layer.bias_ih_range()])
                .zip(&params[layer.bias_hh_range()])
            {
                *z = a + b;
            }
            linalg::matvec_accumulate(&params[layer.weight_ih_range()], x, z);
            linalg::matvec_accumulate(&params[layer.weight_hh_range()], h_prev, z);
            let (c_prev, c_next) = tape.cell[l].split_at_mut((t + 1) * h);
            let c_prev = &c_prev[t * h..];
            let tanh_c = &mut tape.tanh_cell[l][t * h..(t + 1) * h];
            for k in 0..h {
                let i = sigmoid(z[k]);
                let f = sigmoid(z[h + k]);
                let g = z[2 * h + k].tanh();
                let o = sigmoid(z[3 * h + k]);
                let c = f * c_prev[k] + i * g;
                let tc = c.tanh();
                z[k] = i;
                z[h + k] = f;
                z[2 * h + k] = g;
                z[3 * h + k] = o;
                c_next[k] = c;
                tanh_c[k] = tc;
                h_next[k] = o * tc;
            }
        }
    }

    /// Backward through step `t`. `dh_top` is the loss gradient reaching the top `h`
    /// from this step's consumers; gradients from step t+1 arrive through `carry`, which
    /// leaves holding those for step t−1 and this step's gate gradients. `dinput` is
    /// overwritten with the gradient of the layer-0 input. The weight gradients wait for
    /// [`LstmStack::accumulate_weight_gradients`].
    pub fn backward_step(
        &self,
        params: &[f32],
        tape: &LstmTape,
        t: usize,
        dh_top: &[f32],
        carry: &mut LstmCarry,
        dinput: &mut [f32],
    ) {
        let h = self.hidden;
        let top = self.layers.len() - 1;
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let from_above = if l == top { dh_top } else { &carry.dh_below };
            for ((d, &a), &b) in carry.dh_step.iter_mut().zip(from_above).zip(&carry.dh[l]) {
                *d = a + b;
            }
            let gates = &tape.gates[l][t * 4 * h..(t + 1) * 4 * h];
            let c_prev = &tape.cell[l][t * h..(t + 1) * h];
            let tanh_c = &tape.tanh_cell[l][t * h..(t + 1) * h];
            let dz = &mut carry.dz[l][t * 4 * h..(t + 1) * 4 * h];
            for k in 0..h {
                let (i, f, g, o) = (gates[k], gates[h + k], gates[2 * h + k], gates[3 * h + k]);
                let dh = carry.dh_step[k];
                let d_o = dh * tanh_c[k];
                let dc = carry.dc[l][k] + dh * o * (1.0 - tanh_c[k] * tanh_c[k]);
                dz[k] = dc * g * i * (1.0 - i);
                dz[h + k] = dc * c_prev[k] * f * (1.0 - f);
                dz[2 * h + k] = dc * i * (1.0 - g * g);
                dz[3 * h + k] = d_o * o * (1.0 - o);
                carry.dc[l][k] = dc * f;
            }
            let dx = if l == 0 {
                &mut *dinput
            } else {
                &mut carry.dh_below[..]
            };
            dx.fill(0.0);
            linalg::matvec_transposed_accumulate(&params[layer.weight_ih_range()], dz, dx);
            carry.dh[l].fill(0.0);
            linalg::matvec_transposed_accumulate(
                &params[layer.weight_hh_range()],
                dz,
                &mut carry.dh[l],
            );
        }
    }

    /// Adds every layer's weight and bias gradients over `steps` steps to `grads`:
    /// `dW_ih += Σ_t dz_t x_tᵀ`, `dW_hh += Σ_t dz_t h_{t−1}ᵀ`, `db += Σ_t dz_t`, from the
    /// gate gradients `carry` kept. `inputs` holds the layer-0 inputs (`steps × inputs`).
    /// One pass per weight row over all steps keeps that row in cache, where a rank-one
    /// update per step would stream the whole matrix every step.
    pub fn accumulate_weight_gradients(
        &self,
        grads: &mut [f32],
        tape: &LstmTape,
        inputs: &[f32],
        steps: usize,
        carry: &LstmCarry,
    ) {
        let h = self.hidden;
        for (l, layer) in self.layers.iter().enumerate() {
            let dz = &carry.dz[l][..steps * 4 * h];
            let x = if l == 0 {
                &inputs[..steps * layer.inputs]
            } else {
                &tape.hidden[l - 1][h..(steps + 1) * h]
            };
            let h_previous = &tape.hidden[l][..steps * h];
            let [weight_ih, weight_hh, bias_ih, bias_hh] = grads
                .get_disjoint_mut([
                    layer.weight_ih_range(),
                    layer.weight_hh_range(),
                    layer.bias_ih_range(),
                    layer.bias_hh_range(),
                ])
                .expect("an LSTM layer's tensors never overlap");
            linalg::outer_products_accumulate(dz, x, weight_ih, bias_ih);
            linalg::outer_products_accumulate(dz, h_previous, weight_hh, bias_hh);
        }
    }
}
