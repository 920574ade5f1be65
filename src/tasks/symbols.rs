//! Symbol tasks of the Neural GPU family (neural_gpu.md § Symbol tasks).
//!
//! A sequence is `n_b = max(len(input), len(target))` columns; the input and the target
//! are written left-aligned and padded with symbol 0. Each column is one step of a
//! [`SequenceBuffer`]: the input symbol one-hot over the alphabet, the target symbol
//! one-hot, and a mask of 1 (every active column is scored, pad included). Draws per
//! sequence, in order: the length, then the symbols (for arithmetic, the bits of `a`
//! then of `b`, least significant first; long-carry addition draws only `a`'s bits above
//! the lowest), then copy-or-reverse's coin.

use super::SequenceBuffer;
use crate::rng::Pcg32;
use serde::{Deserialize, Serialize};

/// Which symbol task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolTask {
    Copy,
    Reverse,
    Sort,
    /// The input twice.
    Dup,
    /// Binary addition, least significant bit first.
    Add,
    /// Binary addition whose carry runs through every column (evaluation only, `engram
    /// eval --inputs long-carry`): both lowest bits are 1, and above them exactly one
    /// operand has each bit, so `a + b = 2^L` and only a carry carried all the way up
    /// gets the answer right. Not a training task: the answer is always the same.
    AddLongCarry,
    /// Binary multiplication, least significant bit first.
    Mul,
    /// Copy-or-reverse: a hidden fair coin picks the target.
    Either,
}

/// The pad symbol.
pub const PAD: usize = 0;
/// Binary tasks' symbols: 1 = bit 0, 2 = bit 1, 3 = +, 4 = ×.
const BIT_ZERO: usize = 1;
const PLUS: usize = 3;
const TIMES: usize = 4;

impl SymbolTask {
    pub const ALL: [SymbolTask; 7] = [
        SymbolTask::Copy,
        SymbolTask::Reverse,
        SymbolTask::Sort,
        SymbolTask::Dup,
        SymbolTask::Add,
        SymbolTask::Mul,
        SymbolTask::Either,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            SymbolTask::Copy => "copy",
            SymbolTask::Reverse => "reverse",
            SymbolTask::Sort => "sort",
            SymbolTask::Dup => "dup",
            SymbolTask::Add => "add",
            SymbolTask::AddLongCarry => "add-long-carry",
            SymbolTask::Mul => "mul",
            SymbolTask::Either => "either",
        }
    }

    /// The alphabet a task starts with, in the page and in `engram train`: 4 symbols, and
    /// 8 for dup. Trained on lengths ≤ 8 with 4 symbols, the Diagonal Neural GPU's dup
    /// models got 7 to 112 of 512 sequences wrong at 20× on every seed; with 8, two seeds
    /// of three got none wrong at 8× and 20× and the third 1 and 5, and dup's own recipe
    /// then none on all three (docs/results.md; decisions.md 50 and 51).
    pub fn default_alphabet(self) -> usize {
        match self {
            SymbolTask::Dup => 8,
            _ => 4,
        }
    }

    /// Binary arithmetic: the alphabet is fixed and L counts the bits of each operand.
    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            SymbolTask::Add | SymbolTask::AddLongCarry | SymbolTask::Mul
        )
    }

    /// The evaluation inputs named by `engram eval --inputs`: `random` (the task
    /// itself) or, for addition, `long-carry`.
    pub fn with_inputs(self, inputs: &str) -> Result<SymbolTask, String> {
        match (self, inputs) {
            (task, "random") => Ok(task),
            (SymbolTask::Add, "long-carry") => Ok(SymbolTask::AddLongCarry),
            (task, "long-carry") => Err(format!(
                "long-carry inputs are binary addition's; this model was trained on {}",
                task.name()
            )),
            (_, other) => Err(format!(
                "inputs must be random or long-carry, got \"{other}\""
            )),
        }
    }

    /// Symbols including pad: A + 1 for the alphabet tasks, 4 for addition, 5 for
    /// multiplication. The input and output alphabets are the same.
    pub fn symbols(self, alphabet: usize) -> usize {
        match self {
            SymbolTask::Add | SymbolTask::AddLongCarry => 4,
            SymbolTask::Mul => 5,
            _ => alphabet + 1,
        }
    }

    /// Columns `n_b` of a sequence at length L.
    pub fn columns(self, length: usize) -> usize {
        match self {
            SymbolTask::Dup => 2 * length,
            SymbolTask::Add | SymbolTask::AddLongCarry | SymbolTask::Mul => 2 * length + 1,
            _ => length,
        }
    }

    /// Input and target symbols (unpadded) of one sequence at `length`, and for
    /// copy-or-reverse the answer the coin did not pick.
    fn draw(
        self,
        alphabet: usize,
        length: usize,
        rng: &mut Pcg32,
    ) -> (Vec<usize>, Vec<usize>, Option<Vec<usize>>) {
        if self.is_arithmetic() {
            let a: Vec<u8> = (0..length)
                .map(|i| match self {
                    SymbolTask::AddLongCarry if i == 0 => 1,
                    _ => rng.bit() as u8,
                })
                .collect();
            let b: Vec<u8> = match self {
                // 1 + 1 starts the carry; x + (1 − x) passes it on.
                SymbolTask::AddLongCarry => a
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| if i == 0 { 1 } else { 1 - x })
                    .collect(),
                _ => (0..length).map(|_| rng.bit() as u8).collect(),
            };
            let (operator, result) = match self {
                SymbolTask::Mul => (TIMES, multiply_bits(&a, &b)),
                _ => (PLUS, add_bits(&a, &b)),
            };
            let as_symbols = |bits: &[u8]| -> Vec<usize> {
                bits.iter().map(|&bit| BIT_ZERO + bit as usize).collect()
            };
            let input = [as_symbols(&a), vec![operator], as_symbols(&b)].concat();
            return (input, as_symbols(&result), None);
        }
        let input: Vec<usize> = (0..length)
            .map(|_| rng.range_inclusive(1, alphabet))
            .collect();
        let reversed: Vec<usize> = input.iter().rev().copied().collect();
        match self {
            SymbolTask::Copy => (input.clone(), input, None),
            SymbolTask::Reverse => (input, reversed, None),
            SymbolTask::Sort => {
                // The symbols are 1..=alphabet: each listed as often as it occurs is the
                // sorted sequence (without a general sort's code in the page's wasm).
                let sorted = (1..=alphabet)
                    .flat_map(|symbol| input.iter().copied().filter(move |&s| s == symbol))
                    .collect();
                (input, sorted, None)
            }
            SymbolTask::Dup => {
                let twice = input.iter().chain(&input).copied().collect();
                (input, twice, None)
            }
            SymbolTask::Either => {
                let (target, other) = if rng.bit() > 0.5 {
                    (reversed, input.clone())
                } else {
                    (input.clone(), reversed)
                };
                (input, target, Some(other))
            }
            SymbolTask::Add | SymbolTask::AddLongCarry | SymbolTask::Mul => {
                unreachable!("handled above")
            }
        }
    }

    /// Writes one sequence of length drawn from `min_length..=max_length`.
    pub(super) fn generate(
        self,
        alphabet: usize,
        min_length: usize,
        max_length: usize,
        rng: &mut Pcg32,
        sequence: &mut SequenceBuffer,
    ) {
        let length = rng.range_inclusive(min_length, max_length);
        let (input, target, alternative) = self.draw(alphabet, length, rng);
        let columns = self.columns(length);
        sequence.push_blank(columns);
        let one_hot = |symbols: &[usize], x: usize| symbols.get(x).copied().unwrap_or(PAD);
        for x in 0..columns {
            sequence.input_row(x)[one_hot(&input, x)] = 1.0;
            sequence.target_row(x)[one_hot(&target, x)] = 1.0;
            sequence.mask[x] = 1.0;
        }
        if let Some(other) = alternative {
            sequence.alternative = vec![0.0; sequence.target.len()];
            for x in 0..columns {
                sequence.alternative[x * sequence.output_width + one_hot(&other, x)] = 1.0;
            }
        }
    }
}

/// `a + b` of two L-bit numbers, lsb first: L + 1 bits.
fn add_bits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut sum = Vec::with_capacity(a.len() + 1);
    let mut carry = 0u8;
    for (&x, &y) in a.iter().zip(b) {
        let total = x + y + carry;
        sum.push(total & 1);
        carry = total >> 1;
    }
    sum.push(carry);
    sum
}

/// `a × b` of two L-bit numbers, lsb first: 2L bits (schoolbook, any L).
fn multiply_bits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut product = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        if x == 0 {
            continue;
        }
        for (j, &y) in b.iter().enumerate() {
            product[i + j] += u32::from(y);
        }
    }
    let mut carry = 0u32;
    product
        .iter()
        .map(|&column| {
            let total = column + carry;
            carry = total >> 1;
            (total & 1) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(bits: &[u8]) -> u128 {
        bits.iter().rev().fold(0, |v, &b| v * 2 + b as u128)
    }

    #[test]
    fn binary_arithmetic_is_exact() {
        let mut rng = Pcg32::new(9);
        for length in [1, 2, 7, 20, 31] {
            for _ in 0..50 {
                let a: Vec<u8> = (0..length).map(|_| rng.bit() as u8).collect();
                let b: Vec<u8> = (0..length).map(|_| rng.bit() as u8).collect();
                assert_eq!(value(&add_bits(&a, &b)), value(&a) + value(&b));
                assert_eq!(add_bits(&a, &b).len(), length + 1);
                assert_eq!(value(&multiply_bits(&a, &b)), value(&a) * value(&b));
                assert_eq!(multiply_bits(&a, &b).len(), 2 * length);
            }
        }
    }
}
